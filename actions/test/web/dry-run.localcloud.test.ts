import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import {
  bucketState,
  buildSite,
  createBucket,
  createDistribution,
  type LogEntry,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "./cloud";

/**
 * Every command that takes --dry-run, run through the CLI against localcloud holding real
 * releases and previews: the request log (read over localcloud's control endpoint) shows reads
 * only, and the bucket is exactly as before.
 */
let cloud: WebCloud;
let tmp: string;
let distribution: string;
const bucket = "dry-run-site";

async function shipline(args: string[]) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split("\n"));
      done();
    },
  });
  const code = await runCli(args, {
    env: process.env,
    logger: new TerminalLogger({ out: sink, err: sink }),
  });
  process.exitCode = undefined;
  return { code, lines };
}

/** The calls localcloud logged after `since`, from its control endpoint. */
async function requestsSince(since: number): Promise<LogEntry[]> {
  const response = await fetch(`${cloud.endpoint}/_localcloud/requests?since=${since}`);
  return (await response.json()) as LogEntry[];
}

const writes = (entries: LogEntry[]) =>
  entries
    .filter((entry) => !["GET", "HEAD"].includes(entry.method))
    .map((entry) => `${entry.method} ${entry.service} ${entry.operation} ${entry.path}`);

const common = () => ["--bucket", bucket, "--distribution-id", distribution];

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("dry-run");
  await createBucket(cloud, bucket);
  distribution = await createDistribution(cloud, bucket);
  for (const [name, value] of Object.entries(cloud.env())) vi.stubEnv(name, value);
  const root = await buildSite(join(tmp, "root"), { releaseId: "root-1" });
  expect((await shipline(["publish-web", "--source", root.dir, ...common()])).code).toBe(0);
  for (const pr of [7, 8]) {
    const site = await buildSite(join(tmp, `pr-${pr}`), {
      basePath: `/previews/pr-${pr}/`,
      releaseId: `pr${pr}`,
    });
    const published = await shipline([
      "preview",
      "publish",
      "--pull-request",
      String(pr),
      "--source",
      site.dir,
      ...common(),
    ]);
    expect(published.code).toBe(0);
  }
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud?.dispose();
});

describe("--dry-run writes nothing", () => {
  it.each([
    {
      name: "publish-web",
      args: async () => [
        "publish-web",
        "--source",
        (await buildSite(join(tmp, "root-2"), { releaseId: "root-2" })).dir,
      ],
      says: /would upload index\.html/,
    },
    {
      name: "preview publish",
      args: async () => [
        "preview",
        "publish",
        "--pull-request",
        "7",
        "--source",
        (await buildSite(join(tmp, "pr-7-b"), { basePath: "/previews/pr-7/", releaseId: "pr7b" }))
          .dir,
      ],
      says: /would upload previews\/pr-7\/index\.html/,
    },
    {
      name: "preview destroy",
      args: async () => ["preview", "destroy", "--pull-request", "7"],
      says: /would delete previews\/pr-7\/index\.html/,
    },
    {
      name: "preview sweep",
      args: async () => ["preview", "sweep", "--open-pull-requests", "7"],
      says: /would delete previews\/pr-8\/index\.html/,
    },
  ])("$name --dry-run: reads only, prints the plan", async ({ args, says }) => {
    const argv = [...(await args()), ...common(), "--dry-run"];
    const before = await bucketState(cloud, bucket);
    const since = cloud.requestLog.lastSeq;
    const result = await shipline(argv);
    expect(result.code, result.lines.join("\n")).toBe(ExitCode.Success);
    const calls = await requestsSince(since);
    expect(calls.length).toBeGreaterThan(0);
    expect(writes(calls)).toEqual([]);
    expect(await bucketState(cloud, bucket)).toEqual(before);
    expect(result.lines.join("\n")).toMatch(says);
  });
});
