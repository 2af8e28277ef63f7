import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { createBucket, startWebCloud, type WebCloud } from "../web/cloud";

let cloud: WebCloud;
let home: string;
const saved = { ...process.env };

beforeAll(async () => {
  [cloud, home] = await Promise.all([startWebCloud(), mkdtemp(join(tmpdir(), "user-errors-"))]);
  await createBucket(cloud, "deploys");
  await mkdir(join(home, "site"));
  await writeFile(join(home, "site/index.html"), "<!doctype html><title>site</title>");
});

afterAll(async () => {
  await cloud?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

afterEach(() => {
  process.env = { ...saved };
  process.exitCode = undefined;
});

/**
 * Runs the CLI with exactly these AWS settings: the SDK reads the process environment, and an
 * empty home keeps this machine's own ~/.aws files and instance metadata out of it.
 */
async function shipline(
  args: string[],
  aws: Record<string, string>,
): Promise<{ code: ExitCode; text: string }> {
  process.env = {
    PATH: saved.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    ...aws,
  };
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => lines.push(chunk),
  } as unknown as NodeJS.WritableStream;
  const code = await runCli(args, {
    env: process.env,
    logger: new TerminalLogger({ out: stream, err: stream }),
  });
  return { code, text: lines.join("") };
}

const history = (bucket: string) => ["history", "--bucket", bucket, "--environment", "production"];

describe("the user's AWS setup, against localcloud", () => {
  it("works when everything is there (the baseline of the cases below)", async () => {
    const { code, text } = await shipline(history("deploys"), cloud.env());
    expect(code, text).toBe(ExitCode.Success);
  });

  it("a bucket that does not exist is bad input that names it", async () => {
    const { code, text } = await shipline(history("no-such-deploys"), cloud.env());
    expect(code, text).toBe(ExitCode.BadInput);
    expect(text).toContain('found no bucket "no-such-deploys" (NoSuchBucket)');
    expect(text).not.toContain("unexpected error");
  });

  it("no credentials anywhere is bad input that says where they come from", async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...rest } = cloud.env();
    const { code, text } = await shipline(history("deploys"), rest);
    expect(code, text).toBe(ExitCode.BadInput);
    expect(text).toContain("no AWS credentials were found");
    expect(text).toContain("AWS_ACCESS_KEY_ID");
  });

  it("no region anywhere is bad input that says how to give one", async () => {
    const { AWS_REGION: _region, AWS_DEFAULT_REGION: _default, ...rest } = cloud.env();
    const { code, text } = await shipline(history("deploys"), rest);
    expect(code, text).toBe(ExitCode.BadInput);
    expect(text).toContain("no AWS region is set");
    expect(text).toContain("AWS_REGION");
  });

  it("a refused upload names the operation, the object and the IAM action to grant", async () => {
    cloud.faults.add({ service: "s3", operation: "PutObject", kind: "deny", count: 1 });
    const { code, text } = await shipline(
      [
        "publish-web",
        "--source",
        join(home, "site"),
        "--bucket",
        "deploys",
        "--release-id",
        "web-1",
        "--invalidate",
        "false",
      ],
      cloud.env(),
    );
    cloud.faults.clear();
    expect(code, text).toBe(ExitCode.BadInput);
    expect(text).toContain("s3 PutObject was denied (AccessDenied)");
    // The first PutObject of this publish (a site of one index.html): the release's own
    // record, written just before its entry points.
    expect(text).toContain(
      "grant s3:PutObject on arn:aws:s3:::deploys/.shipline/web/root/releases/web-1.json",
    );
  });
});
