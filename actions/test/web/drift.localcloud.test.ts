import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSiteManifest } from "../../src/ledger/site";
import {
  bucketState,
  buildSite,
  CACHING_DISABLED,
  CACHING_OPTIMIZED,
  createBucket,
  createDistribution,
  edgeUrl,
  freshCopy,
  loadPage,
  s3Of,
  sourceCopy,
  startWebCloud,
  tempDir,
  type WebCloud,
  write,
} from "./cloud";
import { publish } from "./publish-helpers";

/**
 * The bucket, not only the manifest: what was deleted or overwritten outside shipline (by hand,
 * by another tool, by a run that died half-way) is put back by the next publish.
 */
let cloud: WebCloud;
let tmp: string;

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("drift");
});
afterAll(async () => {
  await cloud?.dispose();
});

let sites = 0;
async function newSite(cachePolicyId = CACHING_DISABLED) {
  const bucket = `drift-${++sites}`;
  await createBucket(cloud, bucket);
  const distribution = await createDistribution(cloud, bucket, cachePolicyId);
  return { bucket, distribution, edge: edgeUrl(cloud, distribution) };
}

describe("publish-web repairs the bucket", () => {
  it("an asset deleted out of band is uploaded again by the next publish of the same build", async () => {
    const { bucket, distribution, edge } = await newSite();
    const build = await buildSite(join(tmp, "a"), { releaseId: "a1" });
    await publish(cloud, { source: build.dir, bucket, "distribution-id": distribution });
    const script = Object.keys(await bucketState(cloud, bucket)).find((key) =>
      /^assets\/main-.*\.js$/.test(key),
    );
    expect(script).toBeDefined();
    // The manifest keeps the ETag S3 gave each object, the listing's.
    const state = await bucketState(cloud, bucket);
    const recorded = (
      await readSiteManifest(s3Of(cloud), { bucket, prefix: "", ledgerPrefix: ".shipline/" })
    )?.live.files;
    expect(recorded?.[script ?? ""]?.etag).toBe(state[script ?? ""]?.replace(/"/g, ""));
    await s3Of(cloud).send(new DeleteObjectCommand({ Bucket: bucket, Key: script }));
    expect((await loadPage(edge)).ok).toBe(false);

    const again = await publish(cloud, {
      source: await freshCopy(build.dir, join(tmp, "a-again")),
      bucket,
      "distribution-id": distribution,
    });
    expect(
      again.files.filter((file) => file.action !== "skip").map((f) => [f.key, f.reason]),
    ).toEqual([[script, "missing"]]);
    expect(Object.keys(await bucketState(cloud, bucket))).toContain(script);
    expect((await loadPage(edge)).problems).toEqual([]);
  });

  it("re-publishing release A after a run of B died with B's index.html up puts A's back, at the edge too", async () => {
    // The edge caches: only a new invalidation shows the viewer A's page again.
    const { bucket, distribution, edge } = await newSite(CACHING_OPTIMIZED);
    const src = await sourceCopy(join(tmp, "src"));
    const a = await buildSite(join(tmp, "rel-a"), { releaseId: "rel-a", sourceDir: src });
    await publish(cloud, { source: a.dir, bucket, "distribution-id": distribution, wait: "true" });
    await write(
      join(src, "styles.css"),
      `${await readFile(join(src, "styles.css"), "utf8")}\n.b { color: red; }\n`,
    );
    const b = await buildSite(join(tmp, "rel-b"), { releaseId: "rel-b", sourceDir: src });
    // B's run died after its index.html went up, before its manifest: only the bucket knows.
    await s3Of(cloud).send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "index.html",
        Body: await readFile(join(b.dir, "index.html")),
        ContentType: "text/html",
      }),
    );
    // A viewer gets B's page (and the edge keeps it: no Cache-Control, the default TTL).
    expect((await loadPage(edge)).html).toContain('content="rel-b"');

    const again = await publish(cloud, {
      source: await freshCopy(a.dir, join(tmp, "rel-a-again")),
      bucket,
      "distribution-id": distribution,
      wait: "true",
    });
    expect(again.files.find((file) => file.key === "index.html")).toMatchObject({
      action: "upload",
      reason: "drifted",
    });
    const page = await loadPage(edge);
    expect(page.html).toContain('content="rel-a"');
    expect(page.problems).toEqual([]);
  });
});
