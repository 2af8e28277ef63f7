import { createHash } from "node:crypto";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSiteManifest } from "../../src/ledger/site";
import { ConfigurationError } from "../../src/lib/errors";
import { IMMUTABLE_CACHE_CONTROL } from "../../src/web/headers";
import { restoreRelease } from "../../src/web/restore";
import {
  type BuiltSite,
  bucketState,
  buildSite,
  CACHING_DISABLED,
  createBucket,
  createDistribution,
  edgeUrl,
  freshCopy,
  loadPage,
  referencedAssets,
  s3Of,
  sourceCopy,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "./cloud";
import { memoryLogger, publish } from "./publish-helpers";

let cloud: WebCloud;
let tmp: string;

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("publish");
});
afterAll(async () => {
  await cloud?.dispose();
});

const WRITES = [
  "PutObject",
  "CopyObject",
  "CompleteMultipartUpload",
  "UploadPart",
  "DeleteObjects",
  "DeleteObject",
];
/** The S3 writes since `since`, as "Operation /bucket/key". */
const writes = (since: number) =>
  cloud.requestLog
    .list({ sinceSeq: since, service: "s3" })
    .filter((entry) => WRITES.includes(entry.operation) && entry.status < 300)
    .map((entry) => `${entry.operation} ${decodeURIComponent(entry.path)}`);
const invalidations = (since: number) =>
  cloud.requestLog.list({
    sinceSeq: since,
    service: "cloudfront",
    operation: "CreateInvalidation",
  });

let sites = 0;
/** A bucket and a distribution of its own for each test. */
async function newSite(cachePolicyId?: string) {
  const bucket = `site-${++sites}`;
  await createBucket(cloud, bucket);
  const distribution = await createDistribution(cloud, bucket, cachePolicyId);
  return { bucket, distribution, edge: edgeUrl(cloud, distribution) };
}

describe("publish-web on localcloud", () => {
  it("a fresh copy of the same build uploads nothing and invalidates nothing", async () => {
    const { bucket, distribution, edge } = await newSite();
    const build = await buildSite(join(tmp, "fresh-1"), { releaseId: "r1" });
    const first = await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
    });
    expect(first.totals.uploaded).toBe(3);
    expect((await loadPage(edge)).html).toContain('content="r1"');

    const since = cloud.requestLog.lastSeq;
    const again = await publish(cloud, {
      source: await freshCopy(build.dir, join(tmp, "fresh-checkout")),
      bucket,
      "distribution-id": distribution,
    });
    expect(again.totals).toMatchObject({ uploaded: 0, copied: 0, skipped: 3 });
    expect(writes(since)).toEqual([]);
    expect(invalidations(since)).toEqual([]);
    // One read of the manifest and one listing of the bucket: no HeadObject per file.
    expect(
      cloud.requestLog
        .list({ sinceSeq: since, service: "s3" })
        .map((e) => e.operation)
        .sort(),
    ).toEqual(["GetObject", "ListObjectsV2"]);
  });

  it("one changed asset: that asset, the entry point and the manifest are written; only the entry point is invalidated", async () => {
    const { bucket, distribution, edge } = await newSite();
    const src = await sourceCopy(join(tmp, "src-changed"));
    const before = await buildSite(join(tmp, "changed-1"), { releaseId: "c1", sourceDir: src });
    await publish(cloud, {
      source: before.dir,
      bucket,
      "distribution-id": distribution,
      wait: "true",
    });
    expect((await loadPage(edge)).ok).toBe(true);

    await appendFile(join(src, "styles.css"), "\n.changed { color: red; }\n");
    const after = await buildSite(join(tmp, "changed-2"), { releaseId: "c2", sourceDir: src });
    const newCss = after.manifest.immutable.find((path) => path.endsWith(".css")) ?? "";
    expect(before.manifest.immutable).not.toContain(newCss);

    const since = cloud.requestLog.lastSeq;
    const result = await publish(cloud, {
      source: after.dir,
      bucket,
      "distribution-id": distribution,
      wait: "true",
    });
    const indexSha = createHash("sha256")
      .update(await readFile(join(after.dir, "index.html")))
      .digest("hex");
    expect(writes(since)).toEqual([
      `PutObject /${bucket}/${newCss}`,
      // The release's own record before its entry points: what identifies them after a crash.
      `PutObject /${bucket}/.shipline/web/root/releases/c2.json`,
      `PutObject /${bucket}/index.html`,
      // The entry point's snapshot for rollbacks: a copy inside the bucket, no bytes sent.
      `CopyObject /${bucket}/.shipline/web/root/objects/${indexSha}`,
      `PutObject /${bucket}/.shipline/web/root/manifest.json`,
    ]);
    expect(result.invalidations.map((i) => i.paths)).toEqual([["/", "/index.html"]]);
    expect(invalidations(since)).toHaveLength(1);
    const page = await loadPage(edge);
    expect(page).toMatchObject({ ok: true, problems: [] });
    expect(referencedAssets(page.html)).toContain(`/${newCss}`);
  });

  it("invalidates every distribution serving the bucket and waits for all of them", async () => {
    const { bucket, distribution } = await newSite();
    const second = await createDistribution(cloud, bucket);
    const build = await buildSite(join(tmp, "two-distributions"), { releaseId: "d1" });
    const result = await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": `${distribution}\n${second}`,
      wait: "true",
    });
    expect(result.invalidations.map((i) => [i.distributionId, i.status, i.paths])).toEqual([
      [distribution, "Completed", ["/", "/index.html"]],
      [second, "Completed", ["/", "/index.html"]],
    ]);
    for (const id of [distribution, second]) {
      expect((await loadPage(edgeUrl(cloud, id))).html).toContain('content="d1"');
    }
  });

  it("applies a same-size change and a header-only rule change", async () => {
    const { bucket, distribution } = await newSite();
    const build = await buildSite(join(tmp, "same-size"), { releaseId: "s1" });
    await writeFile(join(build.dir, "robots.txt"), "User-agent: *\nAllow: /\n");
    await publish(cloud, { source: build.dir, bucket, "distribution-id": distribution });

    await writeFile(join(build.dir, "robots.txt"), "User-agent: *\nAllow: *\n");
    let since = cloud.requestLog.lastSeq;
    const sameSize = await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
    });
    expect(sameSize.files.find((f) => f.key === "robots.txt")).toMatchObject({
      action: "upload",
      reason: "content",
    });
    expect(writes(since)).toContain(`PutObject /${bucket}/robots.txt`);
    expect(sameSize.invalidations[0]?.paths).toEqual(["/robots.txt"]);

    since = cloud.requestLog.lastSeq;
    const headerOnly = await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
      "cache-control": "robots.txt=public, max-age=86400",
    });
    expect(headerOnly.totals).toMatchObject({ uploaded: 0, copied: 1, uploadedBytes: 0 });
    expect(writes(since)).toContain(`CopyObject /${bucket}/robots.txt`);
    const head = await s3Of(cloud).send(
      new HeadObjectCommand({ Bucket: bucket, Key: "robots.txt" }),
    );
    expect(head.CacheControl).toBe("public, max-age=86400");
    expect(head.ContentType).toBe("text/plain; charset=utf-8");
  });

  it("without an asset manifest, names with a content hash are immutable; immutable patterns replace that rule; cache-control and content-type rules apply", async () => {
    // A build of one's own, with no asset-manifest.json: only the names say what is hashed.
    const dir = await tempDir("own-build");
    const files: Record<string, string> = {
      "index.html": '<script src="/assets/app-3f2a1b9c.js"></script><img src="/assets/logo.svg">',
      "assets/app-3f2a1b9c.js": "console.log(1)",
      "assets/logo.svg": "<svg/>",
      "data/config.json": "{}",
      "site.webmanifest": "{}",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, ".."), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const headers = async (bucket: string, key: string) => {
      const head = await s3Of(cloud).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { cacheControl: head.CacheControl, contentType: head.ContentType };
    };

    const byName = await newSite();
    await publish(cloud, { source: dir, bucket: byName.bucket, "release-id": "own-1" });
    expect(await headers(byName.bucket, "assets/app-3f2a1b9c.js")).toEqual({
      cacheControl: IMMUTABLE_CACHE_CONTROL,
      contentType: "text/javascript; charset=utf-8",
    });
    expect((await headers(byName.bucket, "assets/logo.svg")).cacheControl).toBe("no-cache");
    expect((await headers(byName.bucket, "index.html")).cacheControl).toBe("no-cache");

    const ruled = await newSite();
    await publish(cloud, {
      source: dir,
      bucket: ruled.bucket,
      "release-id": "own-1",
      immutable: "assets/*.svg",
      "cache-control": "**/*.json=public, max-age=60",
      "content-type": "*.webmanifest=application/manifest+json",
    });
    expect((await headers(ruled.bucket, "assets/logo.svg")).cacheControl).toBe(
      IMMUTABLE_CACHE_CONTROL,
    );
    expect((await headers(ruled.bucket, "assets/app-3f2a1b9c.js")).cacheControl).toBe("no-cache");
    expect((await headers(ruled.bucket, "data/config.json")).cacheControl).toBe(
      "public, max-age=60",
    );
    expect(await headers(ruled.bucket, "site.webmanifest")).toEqual({
      cacheControl: "no-cache",
      contentType: "application/manifest+json",
    });
  });

  it("sends large files in parts, bounded by the threshold", async () => {
    const { bucket } = await newSite();
    const build = await buildSite(join(tmp, "large"), { releaseId: "big-1" });
    const big = Buffer.alloc(6 * 1024 * 1024 + 123, 7);
    await writeFile(join(build.dir, "video.bin"), big);
    const since = cloud.requestLog.lastSeq;
    await publish(cloud, {
      source: build.dir,
      bucket,
      "multipart-threshold": String(5 * 1024 * 1024),
    });
    const operations = cloud.requestLog
      .list({ sinceSeq: since, service: "s3" })
      .map((e) => e.operation);
    expect(operations.filter((op) => op === "UploadPart")).toHaveLength(2);
    expect(operations).toContain("CompleteMultipartUpload");
    const head = await s3Of(cloud).send(
      new HeadObjectCommand({ Bucket: bucket, Key: "video.bin" }),
    );
    expect(head).toMatchObject({
      ContentLength: big.length,
      ContentType: "application/octet-stream",
      CacheControl: "no-cache",
    });
    expect(head.ETag).toMatch(/-2"$/);
  });

  it("a client polling index.html through the edge during publishes never gets a page with a missing asset", async () => {
    // Uncached, so every poll sees the bucket as it is at that moment: the strictest viewer.
    const { bucket, distribution, edge } = await newSite(CACHING_DISABLED);
    const src = await sourceCopy(join(tmp, "src-poll"));
    const first = await buildSite(join(tmp, "poll-0"), { releaseId: "p0", sourceDir: src });
    await publish(cloud, { source: first.dir, bucket, "distribution-id": distribution });

    let polling = true;
    const results: { ok: boolean; problems: string[]; release: string }[] = [];
    const poller = (async () => {
      while (polling) {
        const page = await loadPage(edge);
        results.push({
          ...page,
          release: /shipline-release" content="([^"]+)"/.exec(page.html)?.[1] ?? "",
        });
      }
    })();
    // Slow S3 writes down so the publishes take long enough for many polls to land inside them.
    cloud.faults.add({ service: "s3", operation: "PutObject", kind: "latency", latencyMs: 100 });
    try {
      for (let n = 1; n <= 3; n++) {
        await appendFile(join(src, "styles.css"), `\n.poll-${n} { color: red; }\n`);
        await appendFile(join(src, "main.ts"), `\nconsole.debug("release ${n}");\n`);
        const build = await buildSite(join(tmp, `poll-${n}`), {
          releaseId: `p${n}`,
          sourceDir: src,
        });
        await publish(cloud, {
          source: build.dir,
          bucket,
          "distribution-id": distribution,
          wait: "true",
        });
      }
    } finally {
      cloud.faults.clear();
      polling = false;
      await poller;
    }
    const broken = results.filter((result) => !result.ok);
    expect(broken).toEqual([]);
    expect(results.length).toBeGreaterThan(20);
    expect(new Set(results.map((result) => result.release))).toEqual(
      new Set(["p0", "p1", "p2", "p3"]),
    );
  });

  it("an old tab of release N-1 still loads its assets after N and N+1; files past the kept releases are pruned", async () => {
    const { bucket, distribution, edge } = await newSite();
    const src = await sourceCopy(join(tmp, "src-tabs"));
    const releases: { build: BuiltSite; html: string }[] = [];
    for (let n = 0; n < 6; n++) {
      await appendFile(join(src, "styles.css"), `\n.tab-${n} { color: blue; }\n`);
      const build = await buildSite(join(tmp, `tabs-${n}`), { releaseId: `t${n}`, sourceDir: src });
      const html = await readFile(join(build.dir, "index.html"), "utf8");
      releases.push({ build, html });
      const result = await publish(cloud, {
        source: build.dir,
        bucket,
        "distribution-id": distribution,
      });
      if (n === 2) {
        // Release t0 (N-1 of t1) is still whole after t1 and t2.
        for (const asset of referencedAssets(releases[0]?.html ?? "")) {
          const response = await fetch(`${edge}${asset}`);
          expect(response.status, asset).toBe(200);
          expect(response.headers.get("content-type")).not.toMatch(/text\/html/);
        }
      }
      // t0 drops out: its stylesheet and its index.html snapshot go.
      if (n === 4) expect(result.deleted).toBe(2);
    }
    // Kept: the live t5 and t4, t3, t2. t0's and t1's stylesheets are gone, nothing else is.
    const state = await bucketState(cloud, bucket);
    const cssOf = (n: number) =>
      releases[n]?.build.manifest.immutable.find((p) => p.endsWith(".css")) ?? "";
    expect(state[cssOf(0)]).toBeUndefined();
    expect(state[cssOf(1)]).toBeUndefined();
    for (const n of [2, 3, 4, 5]) expect(state[cssOf(n)], cssOf(n)).toBeDefined();
  });

  it("refuses an empty folder and leaves the bucket as it was", async () => {
    const { bucket, distribution } = await newSite();
    const build = await buildSite(join(tmp, "empty-live"), { releaseId: "e1" });
    await publish(cloud, { source: build.dir, bucket, "distribution-id": distribution });
    const before = await bucketState(cloud, bucket);
    const since = cloud.requestLog.lastSeq;
    const empty = await tempDir("empty");
    await expect(
      publish(cloud, { source: empty, bucket, "distribution-id": distribution }),
    ).rejects.toThrow(/is empty/);
    await expect(publish(cloud, { source: join(empty, "missing"), bucket })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(writes(since)).toEqual([]);
    expect(await bucketState(cloud, bucket)).toEqual(before);
  });

  it("a delete limit aborts before anything is uploaded or deleted", async () => {
    const { bucket } = await newSite();
    const src = await sourceCopy(join(tmp, "src-limit"));
    for (let n = 0; n < 2; n++) {
      await appendFile(join(src, "styles.css"), `\n.limit-${n} { color: green; }\n`);
      const build = await buildSite(join(tmp, `limit-${n}`), {
        releaseId: `l${n}`,
        sourceDir: src,
      });
      await publish(cloud, { source: build.dir, bucket, "keep-releases": "0" });
    }
    await appendFile(join(src, "styles.css"), "\n.limit-x { color: green; }\n");
    await appendFile(join(src, "main.ts"), '\nconsole.debug("limit");\n');
    const build = await buildSite(join(tmp, "limit-x"), { releaseId: "lx", sourceDir: src });
    const before = await bucketState(cloud, bucket);
    const since = cloud.requestLog.lastSeq;
    // Two releases ago (kept 0) → the previous release's stylesheet would go: over a limit of 0.
    const attempt = publish(cloud, {
      source: build.dir,
      bucket,
      "keep-releases": "0",
      "delete-limit": "0",
    });
    await expect(attempt).rejects.toThrow(/delete-limit/);
    expect(writes(since)).toEqual([]);
    expect(await bucketState(cloud, bucket)).toEqual(before);
  });

  it("refuses a folder without index.html and an unknown distribution before writing anything", async () => {
    const { bucket } = await newSite();
    const since = cloud.requestLog.lastSeq;
    const noIndex = await tempDir("no-index");
    await writeFile(join(noIndex, "app.js"), "x");
    await expect(publish(cloud, { source: noIndex, bucket })).rejects.toThrow(/no index.html/);
    const build = await buildSite(join(tmp, "bad-dist"), { releaseId: "b1" });
    await expect(
      publish(cloud, { source: build.dir, bucket, "distribution-id": "E0NOSUCHDIST1" }),
    ).rejects.toThrow(/input "distribution-id" "E0NOSUCHDIST1": no such CloudFront distribution/);
    await expect(publish(cloud, { source: build.dir, bucket: "no-such-bucket" })).rejects.toThrow(
      /input "bucket" "no-such-bucket": no such bucket/,
    );
    expect(writes(since)).toEqual([]);
  });
});

describe("two publishes of one site at once", () => {
  it("only one records its release; the other fails naming the conflict; the site stays whole", async () => {
    const { bucket, distribution, edge } = await newSite(CACHING_DISABLED);
    const src = await sourceCopy(join(tmp, "src-race"));
    const base = await buildSite(join(tmp, "race-0"), { releaseId: "race-0", sourceDir: src });
    await publish(cloud, { source: base.dir, bucket, "distribution-id": distribution });
    const builds: BuiltSite[] = [];
    for (const n of [1, 2]) {
      await appendFile(join(src, "styles.css"), `\n.race-${n} { color: red; }\n`);
      builds.push(
        await buildSite(join(tmp, `race-${n}`), { releaseId: `race-${n}`, sourceDir: src }),
      );
    }
    cloud.faults.add({ service: "s3", operation: "PutObject", kind: "latency", latencyMs: 50 });
    const outcomes = await Promise.allSettled(
      builds.map((build) =>
        publish(cloud, { source: build.dir, bucket, "distribution-id": distribution }),
      ),
    );
    cloud.faults.clear();
    const failed = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(failed).toHaveLength(1);
    expect(String((failed[0] as PromiseRejectedResult).reason)).toMatch(
      /another publish recorded a release/,
    );
    const winner = outcomes.findIndex((outcome) => outcome.status === "fulfilled");
    const manifest = await readSiteManifest(s3Of(cloud), {
      bucket,
      prefix: "",
      ledgerPrefix: ".shipline/",
    });
    expect(manifest?.live.releaseId).toBe(`race-${winner + 1}`);
    expect((await loadPage(edge)).problems).toEqual([]);
  });
});

describe("restoring a kept release", () => {
  it("puts the previous release's entry point back from its snapshot: copies only, no upload", async () => {
    const { bucket, distribution, edge } = await newSite();
    const src = await sourceCopy(join(tmp, "src-restore"));
    for (const n of [1, 2]) {
      await appendFile(join(src, "styles.css"), `\n.restore-${n} { color: red; }\n`);
      const build = await buildSite(join(tmp, `restore-${n}`), {
        releaseId: `v${n}`,
        sourceDir: src,
      });
      await publish(cloud, {
        source: build.dir,
        bucket,
        "distribution-id": distribution,
        wait: "true",
      });
    }
    const since = cloud.requestLog.lastSeq;
    const plan = await restoreRelease(
      s3Of(cloud),
      { bucket, prefix: "", ledgerPrefix: ".shipline/" },
      "previous",
      { logger: memoryLogger().logger, now: new Date().toISOString() },
    );
    expect(plan.release.releaseId).toBe("v1");
    expect(writes(since)).toEqual([
      `CopyObject /${bucket}/index.html`,
      `PutObject /${bucket}/.shipline/web/root/releases/v1.json`,
      `PutObject /${bucket}/.shipline/web/root/manifest.json`,
    ]);
    // The origin serves release v1's page again, whose assets are all still there.
    const index = await s3Of(cloud).send(
      new GetObjectCommand({ Bucket: bucket, Key: "index.html" }),
    );
    expect(index.CacheControl).toBe("no-cache");
    expect(await index.Body?.transformToString()).toContain('content="v1"');
    expect((await loadPage(edge)).problems).toEqual([]);
    // The next publish diffs against the restored release.
    const again = await publish(cloud, {
      source: join(tmp, "restore-1"),
      bucket,
      "release-id": "v1",
    });
    expect(again.totals.uploaded).toBe(0);
  });
});
