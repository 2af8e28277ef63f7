import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CACHING_OPTIMIZED,
  createBucket,
  createDistribution,
  edgeUrl,
  startWebCloud,
  tempDir,
  type WebCloud,
} from "./cloud";
import { publish } from "./publish-helpers";

/**
 * A page whose name has reserved, unsafe and non-ASCII characters, changed and published again:
 * the edge (which matches invalidation paths as CloudFront documents) serves the new page.
 */
let cloud: WebCloud;
let tmp: string;

beforeAll(async () => {
  cloud = await startWebCloud();
  tmp = await tempDir("encoded-paths");
});
afterAll(async () => {
  await cloud?.dispose();
});

async function site(folder: string, page: string): Promise<string> {
  const dir = join(tmp, folder);
  await mkdir(join(dir, "docs"), { recursive: true });
  await writeFile(join(dir, "index.html"), "<p>home</p>");
  await writeFile(join(dir, "docs", "a(1)+b ~é.html"), page);
  return dir;
}

describe("invalidating keys with characters to encode", () => {
  it("a changed page named a(1)+b ~é.html is invalidated at the edge", async () => {
    const bucket = "encoded-site";
    await createBucket(cloud, bucket);
    const distribution = await createDistribution(cloud, bucket, CACHING_OPTIMIZED);
    const edge = edgeUrl(cloud, distribution);
    // Kept at the edge for an hour: only an invalidation that matches brings the new page.
    const settings = {
      bucket,
      "distribution-id": distribution,
      "cache-control": "docs/**=public, max-age=3600",
      wait: "true",
    };
    await publish(cloud, {
      ...settings,
      source: await site("v1", "<p>one</p>"),
      "release-id": "v1",
    });
    const url = `${edge}/docs/a(1)+b%20~%C3%A9.html`;
    expect(await (await fetch(url)).text()).toBe("<p>one</p>");

    const second = await publish(cloud, {
      ...settings,
      source: await site("v2", "<p>two</p>"),
      "release-id": "v2",
    });
    expect(second.invalidations.flatMap((item) => item.paths)).toContain(
      "/docs/a(1)+b%20%7E%C3%A9.html",
    );
    expect(await (await fetch(url)).text()).toBe("<p>two</p>");
  });
});
