import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { GetInvalidationCommand, ListInvalidationsCommand } from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import {
  buildSite,
  cloudFrontOf,
  createBucket,
  createDistribution,
  edgeUrl,
  loadPage,
  sourceCopy,
  startWebCloud,
  tempDir,
  type WebCloud,
  write,
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

async function shipline(args: string[], env: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split("\n"));
      done();
    },
  });
  const code = await runCli(args, {
    env: { ...process.env, ...env },
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

  it("every push to a pull request is its own release with its own invalidation", async () => {
    const cloudfront = cloudFrontOf(cloud);
    const invalidationsOf = async (path: string) => {
      const listed = await cloudfront.send(
        new ListInvalidationsCommand({ DistributionId: distribution }),
      );
      const ids = (listed.InvalidationList?.Items ?? []).map((item) => item.Id ?? "");
      const found = await Promise.all(
        ids.map((Id) =>
          cloudfront.send(new GetInvalidationCommand({ DistributionId: distribution, Id })),
        ),
      );
      return found
        .filter((got) => got.Invalidation?.InvalidationBatch?.Paths?.Items?.includes(path))
        .map((got) => got.Invalidation?.Id);
    };
    const published: Record<string, string>[] = [];
    // Two pushes, two GitHub runs; the SPA is built with the same id both times ("pr-5").
    for (const [run, sha, title] of [
      ["101", "a".repeat(40), "first"],
      ["102", "b".repeat(40), "second"],
    ] as const) {
      const source = await sourceCopy(join(tmp, `pr-5-src-${run}`));
      // A change in the code: new asset names, so a new index.html at the same paths.
      const styles = join(source, "styles.css");
      await write(styles, `${await readFile(styles, "utf8")}\n.${title}-push { color: red; }\n`);
      const build = await buildSite(join(tmp, `pr-5-${run}`), {
        basePath: "/previews/pr-5/",
        releaseId: "pr-5",
        sourceDir: source,
      });
      const push = await shipline(
        [
          "preview",
          "publish",
          "--pull-request",
          "5",
          "--source",
          build.dir,
          "--bucket",
          bucket,
          "--distribution-id",
          distribution,
        ],
        { GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: "1", GITHUB_SHA: sha },
      );
      expect(push.code, push.lines.join("\n")).toBe(ExitCode.Success);
      published.push(push.outputs);
    }
    const [first, second] = published.map((outputs) => outputs["invalidation-id"]);
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(await invalidationsOf("/previews/pr-5/index.html")).toHaveLength(2);
    expect(published.map((outputs) => outputs["release-id"])).toEqual([
      "pr-5-aaaaaaaaaaaa-101.1",
      "pr-5-bbbbbbbbbbbb-102.1",
    ]);
  });
});
