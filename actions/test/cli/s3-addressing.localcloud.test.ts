import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { createBucket, startWebCloud, type WebCloud } from "../web/cloud";

/**
 * localcloud's endpoint given in the shared config file (~/.aws/config), not the environment,
 * and with a hostname: buckets must be addressed by path (localhost has no bucket subdomains).
 */
let cloud: WebCloud;
let home: string;
let endpoint: string;
const saved = { ...process.env };

beforeAll(async () => {
  [cloud, home] = await Promise.all([startWebCloud(), mkdtemp(join(tmpdir(), "s3-addressing-"))]);
  await createBucket(cloud, "deploys");
  endpoint = cloud.endpoint.replace("127.0.0.1", "localhost");
});

afterAll(async () => {
  await cloud?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

afterEach(() => {
  process.env = { ...saved };
  process.exitCode = undefined;
});

/** `shipline history` with only this config file and the keys in the environment. */
async function historyWith(config: string, extra: Record<string, string> = {}) {
  const configFile = join(home, `config-${Math.random().toString(36).slice(2)}`);
  await writeFile(configFile, config);
  process.env = {
    PATH: saved.PATH,
    HOME: home,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ACCESS_KEY_ID: cloud.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: cloud.credentials.secretAccessKey,
    ...extra,
  };
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  const code = await runCli(["history", "--bucket", "deploys", "--environment", "production"], {
    env: process.env,
    logger: new TerminalLogger({ out: stream, err: stream }),
  });
  return { code, text: lines.join("") };
}

const profileEndpoint = () => `[default]\nregion = ${cloud.region}\nendpoint_url = ${endpoint}\n`;

describe("an S3 endpoint from the shared config file", () => {
  it("endpoint_url in the profile: path-style addressing, and it works", async () => {
    const { code, text } = await historyWith(profileEndpoint());
    expect(code, text).toBe(ExitCode.Success);
  });

  it("endpoint_url in a services section: the same", async () => {
    const { code, text } = await historyWith(
      `[default]\nregion = ${cloud.region}\nservices = local\n\n[services local]\ns3 =\n  endpoint_url = ${endpoint}\n`,
    );
    expect(code, text).toBe(ExitCode.Success);
  });

  it("AWS_S3_FORCE_PATH_STYLE=false chooses virtual hosts (which localhost cannot serve)", async () => {
    const { code, text } = await historyWith(profileEndpoint(), {
      AWS_S3_FORCE_PATH_STYLE: "false",
    });
    expect(code).not.toBe(ExitCode.Success);
    expect(text).toContain("deploys.localhost");
  });

  it("AWS_S3_FORCE_PATH_STYLE=true: path style, as asked", async () => {
    const { code, text } = await historyWith(profileEndpoint(), {
      AWS_S3_FORCE_PATH_STYLE: "true",
    });
    expect(code, text).toBe(ExitCode.Success);
  });

  it("any other AWS_S3_FORCE_PATH_STYLE is bad input naming it", async () => {
    const { code, text } = await historyWith(profileEndpoint(), { AWS_S3_FORCE_PATH_STYLE: "yes" });
    expect(code).toBe(ExitCode.BadInput);
    expect(text).toContain('AWS_S3_FORCE_PATH_STYLE is "yes": expected "true"');
  });
});
