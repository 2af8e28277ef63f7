import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import {
  buildSite,
  createBucket,
  createDistribution,
  edgeUrl,
  loadPage,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "./cloud";

let cloud: WebCloud;
let tmp: string;
let distribution: string;
const bucket = "cli-site";

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("cli");
  await createBucket(cloud, bucket);
  distribution = await createDistribution(cloud, bucket);
  // The SDK finds the endpoint and credentials in the environment, as in CI.
  for (const [name, value] of Object.entries(cloud.env())) vi.stubEnv(name, value);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud?.dispose();
});

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
  const outputs = Object.fromEntries(
    lines
      .filter((line) => /^[a-z-]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  return { code, lines, outputs };
}

describe("shipline publish-web / invalidate / preview", () => {
  it("--dry-run prints the plan and changes nothing; a real run publishes; bad input exits with its code", async () => {
    const build = await buildSite(join(tmp, "site"), { releaseId: "cli-1" });
    const since = cloud.requestLog.lastSeq;
    const dry = await shipline([
      "publish-web",
      "--source",
      build.dir,
      "--bucket",
      bucket,
      "--distribution-id",
      distribution,
      "--dry-run",
    ]);
    expect(dry.code).toBe(ExitCode.Success);
    expect(dry.lines).toContain("would upload index.html (new)");
    expect(dry.outputs.uploaded).toBe("3");
    expect(
      cloud.requestLog.list({ sinceSeq: since, service: "s3" }).filter((e) => e.method !== "GET"),
    ).toEqual([]);

    const real = await shipline([
      "publish-web",
      "--source",
      build.dir,
      "--bucket",
      bucket,
      "--distribution-id",
      distribution,
      "--wait",
    ]);
    expect(real.code).toBe(ExitCode.Success);
    expect(real.outputs).toMatchObject({
      "release-id": "cli-1",
      uploaded: "3",
      url: `${edgeUrl(cloud, distribution)}/`,
    });
    expect((await loadPage(edgeUrl(cloud, distribution))).html).toContain('content="cli-1"');

    const bad = await shipline([
      "publish-web",
      "--source",
      build.dir,
      "--bucket",
      bucket,
      "--keep-releases",
      "-1",
    ]);
    expect(bad.code).toBe(ExitCode.BadInput);
    expect(bad.lines.join("\n")).toMatch(/input "keep-releases"/);
  });

  it("invalidate sends the paths once per release id, however often it is re-run", async () => {
    const args = [
      "invalidate",
      "--distribution-id",
      distribution,
      "--paths",
      "/index.html",
      "--paths",
      "/",
      "--release-id",
      "cli-9",
    ];
    const first = await shipline(args);
    const second = await shipline(args);
    expect(first.code).toBe(ExitCode.Success);
    expect(second.outputs["invalidation-id"]).toBe(first.outputs["invalidation-id"]);
    const bad = await shipline([
      "invalidate",
      "--distribution-id",
      distribution,
      "--paths",
      "index.html",
    ]);
    expect(bad.code).toBe(ExitCode.BadInput);
  });

  it("preview publish and destroy", async () => {
    const build = await buildSite(join(tmp, "pr-3"), {
      basePath: "/previews/pr-3/",
      releaseId: "pr3",
    });
    const published = await shipline([
      "preview",
      "publish",
      "--pull-request",
      "3",
      "--source",
      build.dir,
      "--bucket",
      bucket,
      "--distribution-id",
      distribution,
    ]);
    expect(published.code).toBe(ExitCode.Success);
    expect(published.outputs.comment).toBe("skipped");
    const page = await loadPage(edgeUrl(cloud, distribution), "/previews/pr-3/index.html");
    expect(page.problems).toEqual([]);
    expect(page.html).toContain('content="pr3"');
    const destroyed = await shipline([
      "preview",
      "destroy",
      "--pull-request",
      "3",
      "--bucket",
      bucket,
    ]);
    expect(destroyed.outputs.deleted).toBe("3");
  });
});
