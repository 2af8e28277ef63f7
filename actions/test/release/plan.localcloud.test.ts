import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { readLock } from "../../src/release/lock";
import { writeConfigOnlyLayout } from "../helpers/layout-base";
import {
  buildSite,
  createBucket,
  createDistribution,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "../web/cloud";

/**
 * deploy checks its whole plan before the lock: every bad input below exits 4,
 * names the input, and leaves the account untouched (the request log shows no write, no lock);
 * --dry-run prints the plan and writes nothing either (rollback's dry run, which reads the ECS
 * service, is in rollback-dry-run.localcloud.test.ts).
 */
let cloud: WebCloud;
let tmp = "";
let distribution = "";
let site = "";
const BUCKET = "plan-site";

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("plan");
  await createBucket(cloud, BUCKET);
  distribution = await createDistribution(cloud, BUCKET);
  site = (await buildSite(join(tmp, "site"), { releaseId: "plan-1" })).dir;
  // The SDK finds the endpoint and credentials in the environment, as in CI.
  for (const [name, value] of Object.entries(cloud.env())) vi.stubEnv(name, value);
  vi.stubEnv("AWS_REGION", cloud.region);
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud?.dispose();
});

function s3(): S3Client {
  return new S3Client({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    forcePathStyle: true,
  });
}

const BASE = `registry.example/base/node@sha256:${"a".repeat(64)}`;

/** A configuration file: a valid environment, with `change` applied to it. */
async function config(
  name: string,
  change: (environment: Record<string, unknown>) => void | Promise<void> = () => {},
): Promise<string> {
  const context = join(tmp, "api");
  await mkdir(context, { recursive: true });
  const environment: Record<string, unknown> = {
    cluster: "web",
    service: "api",
    containers: {
      api: { repository: "shipline/api", context, "base-image": BASE, cmd: ["node", "server.mjs"] },
    },
    bucket: BUCKET,
    distributions: [distribution],
    web: site,
    gate: { timeout: "90s", interval: "1s", "healthy-polls": 2 },
    "lock-ttl": "5m",
  };
  await change(environment);
  const file = join(tmp, `${name}.yml`);
  await writeFile(
    file,
    stringify({ version: 1, region: cloud.region, environments: { production: environment } }),
  );
  return file;
}

async function shipline(args: string[]) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split("\n"));
      done();
    },
  });
  const since = cloud.requestLog.lastSeq;
  const code = await runCli(args, {
    env: { ...process.env, GITHUB_RUN_ID: "7", GITHUB_SHA: "feedface".repeat(5) },
    logger: new TerminalLogger({ out: sink, err: sink }),
  });
  process.exitCode = undefined;
  const calls = cloud.requestLog.list({ sinceSeq: since });
  const writes = calls
    .filter((call) => call.method !== "GET" && call.method !== "HEAD")
    .map((call) => `${call.service} ${call.operation} ${call.path}`);
  return { code, output: lines.join("\n"), calls, writes };
}

async function folderWith(name: string, make: (dir: string) => Promise<void>): Promise<string> {
  const dir = (await buildSite(join(tmp, name), { releaseId: name })).dir;
  await make(dir);
  return dir;
}

describe("deploy refuses bad input before anything changes", () => {
  it.each([
    {
      name: "a web folder without index.html",
      args: async () => [
        "--source",
        await tempDir("no-index").then(async (dir) => {
          await writeFile(join(dir, "app.js"), "x");
          return dir;
        }),
      ],
      message: /input "source" ".*" has no index.html/,
    },
    {
      name: "a container without base-image",
      config: (environment: Record<string, unknown>) => {
        environment.containers = { api: { repository: "shipline/api", cmd: "node server.mjs" } };
      },
      message: /container "api": input "base-image" is required with builder "oci"/,
    },
    {
      name: "an image with no command (its base's is only node's prompt)",
      config: async (environment: Record<string, unknown>) => {
        const base = await writeConfigOnlyLayout(join(tmp, "node-base"), { Cmd: ["node"] });
        environment.containers = {
          api: { repository: "shipline/api", context: join(tmp, "api"), "base-image": base },
        };
      },
      message:
        /container "api": the image has no command to run: .*only \["node"\], an interactive prompt.*give it one with "cmd"/,
    },
    {
      name: "lock-ttl 0",
      args: async () => ["--lock-ttl", "0"],
      message: /input "lock-ttl" must be a duration from 1m to 24h, got "0"/,
    },
    {
      name: "gate-interval 0 (from the file)",
      config: (environment: Record<string, unknown>) => {
        environment.gate = { interval: 0 };
      },
      message:
        /case\.yml:\d+: environments\.production\.gate\.interval: expected a duration from 1s to 5m/,
    },
    {
      name: "a container name with '=' and a line break",
      config: (environment: Record<string, unknown>) => {
        environment.containers = {
          "api\nnginx=shipline/nginx\nx": { repository: "shipline/api", "base-image": BASE },
        };
      },
      message:
        /environments.production.containers: key "api\\nnginx=shipline\/nginx\\nx": expected a container name/,
    },
    {
      name: "a key over 1,024 bytes",
      args: async () => [
        "--source",
        await folderWith("long-key", async (dir) => {
          const deep = join(dir, ...Array.from({ length: 5 }, (_, i) => `${i}${"d".repeat(220)}`));
          await mkdir(deep, { recursive: true });
          await writeFile(join(deep, "page.html"), "x");
        }),
      ],
      message: /file\(s\) would get an S3 key longer than 1024 bytes/,
    },
    {
      name: "a file name that is not UTF-8",
      args: async () => [
        "--source",
        await folderWith("latin1", async (dir) => {
          await writeFile(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9])]), "x");
        }),
      ],
      message: /file name "caf." in ".*" is not UTF-8/,
    },
    {
      name: "a link that loops back into its folder",
      args: async () => [
        "--source",
        await folderWith("loop", async (dir) => {
          await mkdir(join(dir, "docs"));
          await symlink(dir, join(dir, "docs", "again"));
        }),
      ],
      message: /link "docs\/again" .* leads back into a folder that contains it/,
    },
    {
      name: "a web build made for another base path",
      args: async () => [
        "--source",
        (await buildSite(join(tmp, "based"), { releaseId: "based", basePath: "/app/" })).dir,
      ],
      message: /base path "\/app\/" \(asset-manifest.json\) is not where it would be served/,
    },
    {
      name: "a distribution that does not exist",
      args: async () => ["--distribution-id", "E0NOSUCHDIST1"],
      message: /input "distribution-id" "E0NOSUCHDIST1": no such CloudFront distribution/,
    },
    {
      name: "a YAML alias bomb",
      file: async () => {
        const file = join(tmp, "bomb.yml");
        const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
        for (let i = 1; i < 9; i++) {
          const previous = String.fromCharCode(96 + i);
          const next = String.fromCharCode(97 + i);
          levels.push(`${next}: &${next} [${Array(9).fill(`*${previous}`).join(",")}]`);
        }
        await writeFile(file, `${levels.join("\n")}\n`);
        return file;
      },
      message: /bomb\.yml: not a configuration file: Excessive alias count/,
    },
    {
      name: "a configuration file over 1 MiB",
      file: async () => {
        const file = await config("big");
        await writeFile(file, `# ${"padding ".repeat(300_000)}\n`, { flag: "a" });
        return file;
      },
      message: /big\.yml" is larger than 1024 KiB/,
    },
  ])("$name: exit 4, the input named, no write, no lock", async (spec) => {
    const file = spec.file ? await spec.file() : await config("case", spec.config);
    const extra = spec.args ? await spec.args() : [];
    const result = await shipline(["deploy", "--config", file, ...extra]);
    expect(result.code, result.output).toBe(ExitCode.BadInput);
    expect(result.output).toMatch(spec.message);
    expect(result.writes).toEqual([]);
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
  });
});

describe("--dry-run", () => {
  it("deploy prints the plan and sends no request at all", async () => {
    const result = await shipline(["deploy", "--config", await config("dry"), "--dry-run"]);
    expect(result.code, result.output).toBe(ExitCode.Success);
    expect(result.output).toContain("Dry run: release feedfacefeed-7.1 of feedface");
    expect(result.output).toMatch(/api: build \(oci\) → shipline\/api:feedface/);
    expect(result.output).toMatch(/entry points last \(the commit point\)/);
    expect(result.calls).toEqual([]);
  });
});
