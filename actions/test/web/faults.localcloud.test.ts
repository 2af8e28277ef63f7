import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TimeoutError } from "../../src/lib/errors";
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
} from "./cloud";
import { publish } from "./publish-helpers";

let cloud: WebCloud;
let tmp: string;
let bucket: string;
let distribution: string;
let edge: string;
let src: string;
let release = 0;

interface CloudFrontTimings {
  setInvalidationDelay(ms: number): void;
}

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("faults");
  bucket = "faulty-site";
  await createBucket(cloud, bucket);
  distribution = await createDistribution(cloud, bucket);
  edge = edgeUrl(cloud, distribution);
  src = await sourceCopy(join(tmp, "src"));
  await publish(cloud, {
    source: (await nextBuild()).dir,
    bucket,
    "distribution-id": distribution,
  });
});
afterEach(() => {
  cloud.faults.clear();
  cloud.service<CloudFrontTimings>("cloudfront").setInvalidationDelay(100);
});
afterAll(async () => {
  await cloud?.dispose();
});

/** A new build whose stylesheet (and so index.html) differs from the last one. */
async function nextBuild() {
  release++;
  await appendFile(join(src, "styles.css"), `\n.fault-${release} { color: red; }\n`);
  return buildSite(join(tmp, `build-${release}`), { releaseId: `f${release}`, sourceDir: src });
}

const liveRelease = async () =>
  /shipline-release" content="([^"]+)"/.exec((await loadPage(edge)).html)?.[1];

describe("publish-web under injected faults", () => {
  it.each([
    {
      name: "S3 throttling",
      fault: { service: "s3", operation: "PutObject", kind: "throttle" as const, count: 3 },
    },
    {
      name: "S3 5xx",
      fault: { service: "s3", operation: "PutObject", kind: "error" as const, count: 3 },
    },
    {
      name: "S3 dropped connections",
      fault: { service: "s3", operation: "PutObject", kind: "reset" as const, count: 2 },
    },
    {
      name: "S3 5xx on the manifest read",
      fault: { service: "s3", operation: "GetObject", kind: "error" as const, count: 2 },
    },
    {
      name: "CloudFront 5xx",
      fault: {
        service: "cloudfront",
        operation: "CreateInvalidation",
        kind: "error" as const,
        count: 2,
      },
    },
    {
      name: "CloudFront throttling",
      fault: {
        service: "cloudfront",
        operation: "CreateInvalidation",
        kind: "throttle" as const,
        count: 2,
      },
    },
  ])("$name: retried, the publish completes and the site is whole", async ({ fault }) => {
    const build = await nextBuild();
    cloud.faults.add(fault);
    const since = cloud.requestLog.lastSeq;
    const result = await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
      wait: "true",
    });
    expect(cloud.requestLog.list({ sinceSeq: since }).some((entry) => entry.fault)).toBe(true);
    expect(result.invalidations[0]?.status).toBe("Completed");
    const page = await loadPage(edge);
    expect(page.problems).toEqual([]);
    expect(await liveRelease()).toBe(build.manifest.releaseId);
  });

  it("entry points half written: the ones that went up are put back, the site stays the previous release", async () => {
    const before = await liveRelease();
    const build = await nextBuild();
    // A second entry point big enough to go up in parts, and every part failing: index.html
    // goes up (one PutObject), big.html does not.
    await writeFile(join(build.dir, "big.html"), `<p>${"x".repeat(6 * 1024 * 1024)}</p>`);
    cloud.faults.add({ service: "s3", operation: "UploadPart", kind: "error" });
    const since = cloud.requestLog.lastSeq;
    await expect(
      publish(cloud, {
        source: build.dir,
        bucket,
        "distribution-id": distribution,
        "multipart-threshold": String(5 * 1024 * 1024),
      }),
    ).rejects.toThrow();
    cloud.faults.clear();
    const calls = cloud.requestLog.list({ sinceSeq: since, service: "s3" });
    const wrote = (operation: string, key: string) =>
      calls.some(
        (call) =>
          call.operation === operation && call.path === `/${bucket}/${key}` && call.status === 200,
      );
    expect(wrote("PutObject", "index.html")).toBe(true);
    expect(wrote("CopyObject", "index.html")).toBe(true);
    expect(await liveRelease()).toBe(before);
    expect((await loadPage(edge)).problems).toEqual([]);
  });

  it("S3 failing for good: the publish fails and the live site stays the previous release, whole", async () => {
    const before = await liveRelease();
    const build = await nextBuild();
    // Every attempt at the stylesheet fails; the SDK gives up after its retries.
    cloud.faults.add({ service: "s3", operation: "PutObject", kind: "error" });
    await expect(
      publish(cloud, { source: build.dir, bucket, "distribution-id": distribution }),
    ).rejects.toThrow();
    cloud.faults.clear();
    expect(await liveRelease()).toBe(before);
    expect((await loadPage(edge)).problems).toEqual([]);
    // The next run simply publishes.
    await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
      wait: "true",
    });
    expect(await liveRelease()).toBe(build.manifest.releaseId);
  });

  it("backs off while the distribution has too many invalidations in progress", async () => {
    const cloudfront = cloudFrontOf(cloud);
    const build = await nextBuild();
    // Earlier invalidations complete after 100 ms; then fill CloudFront's in-progress file paths
    // (3,000) but one, for a while, so this publish's two paths do not fit.
    await new Promise((resolve) => setTimeout(resolve, 250));
    cloud.service<CloudFrontTimings>("cloudfront").setInvalidationDelay(1_000);
    const paths = Array.from({ length: 2999 }, (_, i) => `/filler-${release}/${i}.html`);
    await cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: distribution,
        InvalidationBatch: {
          CallerReference: `filler-${release}`,
          Paths: { Quantity: paths.length, Items: paths },
        },
      }),
    );
    cloud.service<CloudFrontTimings>("cloudfront").setInvalidationDelay(100);
    const since = cloud.requestLog.lastSeq;
    const result = await publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
      wait: "true",
    });
    const attempts = cloud.requestLog.list({
      sinceSeq: since,
      service: "cloudfront",
      operation: "CreateInvalidation",
    });
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts[0]?.errorCode).toBe("TooManyInvalidationsInProgress");
    expect(attempts.at(-1)?.status).toBe(201);
    expect(result.log.some((line) => line.includes("too many invalidations in progress"))).toBe(
      true,
    );
    expect(await liveRelease()).toBe(build.manifest.releaseId);
  });

  it("honours the wait timeout: a TimeoutError soon after it, with the release already live", async () => {
    cloud.service<CloudFrontTimings>("cloudfront").setInvalidationDelay(60_000);
    const build = await nextBuild();
    const started = Date.now();
    const attempt = publish(cloud, {
      source: build.dir,
      bucket,
      "distribution-id": distribution,
      wait: "true",
      "wait-timeout": "400ms",
    });
    await expect(attempt).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
