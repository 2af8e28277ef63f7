import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildSite,
  createBucket,
  createDistribution,
  edgeUrl,
  freshCopy,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "./cloud";
import { publish } from "./publish-helpers";

let cloud: WebCloud;
let tmp: string;

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("publish");
});
afterAll(async () => {
  await cloud?.dispose();
});

const writes = (since: number) =>
  cloud.requestLog
    .list({ sinceSeq: since, service: "s3" })
    .filter((entry) =>
      ["PutObject", "CopyObject", "CompleteMultipartUpload", "DeleteObjects"].includes(
        entry.operation,
      ),
    );

describe("publish-web on localcloud", () => {
  it("a fresh copy of the same build uploads nothing and invalidates nothing", async () => {
    await createBucket(cloud, "site-fresh");
    const distribution = await createDistribution(cloud, "site-fresh");
    const build = await buildSite(join(tmp, "build-1"), { releaseId: "r1" });
    const first = await publish(cloud, {
      source: build.dir,
      bucket: "site-fresh",
      "distribution-id": distribution,
    });
    expect(first.totals.uploaded).toBe(4);
    const page = await fetch(`${edgeUrl(cloud, distribution)}/`);
    expect(await page.text()).toContain('content="r1"');

    const since = cloud.requestLog.lastSeq;
    const again = await publish(cloud, {
      source: await freshCopy(build.dir, join(tmp, "checkout")),
      bucket: "site-fresh",
      "distribution-id": distribution,
    });
    expect(again.totals).toMatchObject({ uploaded: 0, copied: 0, skipped: 4 });
    expect(writes(since)).toEqual([]);
    expect(
      cloud.requestLog.list({
        sinceSeq: since,
        service: "cloudfront",
        operation: "CreateInvalidation",
      }),
    ).toEqual([]);
    // One read of the manifest: no HeadObject per file.
    expect(
      cloud.requestLog.list({ sinceSeq: since, service: "s3" }).map((e) => e.operation),
    ).toEqual(["GetObject"]);
  });
});
