import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSite } from "../../scripts/demo/site";
import { DEFAULT_LEDGER_PREFIX } from "../../src/ledger/keys";
import { buildSite, edgeUrl, s3Of, startWebCloud, tempDir, type WebCloud } from "./cloud";
import { publish } from "./publish-helpers";

const BUCKET = "demo-site";
let cloud: WebCloud;
let edge: string;

beforeAll(async () => {
  cloud = await startWebCloud();
  const distribution = await createSite(cloud, { bucket: BUCKET, apiDomain: "127.0.0.1" });
  edge = edgeUrl(cloud, distribution);
  const build = await buildSite(await tempDir("demo-site"), { releaseId: "r1" });
  await publish(cloud, { source: build.dir, bucket: BUCKET, "distribution-id": distribution });
});

afterAll(async () => {
  await cloud?.dispose();
});

const viewer = async (path: string) => {
  const response = await fetch(`${edge}${path}`);
  return {
    status: response.status,
    cache: response.headers.get("x-cache"),
    body: await response.text(),
  };
};

describe("the demo's site", () => {
  it("serves the published site through the edge", async () => {
    const page = await viewer("/");
    expect(page.status).toBe(200);
    expect(page.body).toContain('content="r1"');
  });

  it("never serves shipline's ledger: every record answers as an unknown path does", async () => {
    const s3 = s3Of(cloud);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: DEFAULT_LEDGER_PREFIX }),
    );
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? "");
    expect(keys).toContain(`${DEFAULT_LEDGER_PREFIX}web/root/manifest.json`);
    const spa = (await viewer("/index.html")).body;
    for (const key of keys) {
      const answer = await viewer(`/${key}`);
      // S3 refused the distribution (403), which answers with the SPA as for any unknown path.
      expect(answer.cache, key).toBe("Error from cloudfront");
      expect(answer.body, key).toBe(spa);
    }
    const manifest = await (
      await s3.send(
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: `${DEFAULT_LEDGER_PREFIX}web/root/manifest.json`,
        }),
      )
    ).Body?.transformToString();
    expect(manifest?.length).toBeGreaterThan(0);
    expect(spa).not.toBe(manifest);
  });
});
