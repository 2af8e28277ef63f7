import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFrontClient, GetDistributionCommand } from "@aws-sdk/client-cloudfront";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parsePublishWebInputs } from "../../src/web/inputs";
import { publishWeb } from "../../src/web/publish-web";
import { memoryLogger } from "./publish-helpers";

/** Checks of the distribution against the bucket and the prefix, made before anything is sent. */
const s3 = mockClient(S3Client);
const cloudfront = mockClient(CloudFrontClient);
let site: string;

const serving = (domainName: string, originPath = "") =>
  cloudfront.on(GetDistributionCommand).resolves({
    Distribution: {
      Id: "E1TEST",
      DomainName: "d111.cloudfront.net",
      DistributionConfig: {
        Origins: {
          Quantity: 1,
          Items: [{ Id: "web", DomainName: domainName, OriginPath: originPath }],
        },
      },
    } as never,
  });

const publishTo = (raw: Record<string, string>) =>
  publishWeb(
    parsePublishWebInputs({
      source: site,
      bucket: "www-example",
      "distribution-id": "E1TEST",
      ...raw,
    }),
    {
      logger: memoryLogger().logger,
      s3: new S3Client({}),
      cloudfront: () => new CloudFrontClient({}),
    },
  );

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "distribution-checks-"));
  await mkdir(join(site, "assets"));
  await writeFile(join(site, "index.html"), "<p>hi</p>");
  await writeFile(
    join(site, "asset-manifest.json"),
    JSON.stringify({ basePath: "/", entryPoints: ["index.html"], immutable: [], releaseId: "r1" }),
  );
});
beforeEach(() => {
  s3.reset();
  cloudfront.reset();
  s3.on(GetObjectCommand).rejects(Object.assign(new Error("no key"), { name: "NoSuchKey" }));
  s3.on(ListObjectsV2Command).resolves({ IsTruncated: false });
});

describe("publishing through a distribution", () => {
  it("refuses a distribution that does not serve the bucket, before sending anything to S3", async () => {
    serving("another-bucket.s3.us-east-1.amazonaws.com");
    const publishing = publishTo({});
    await expect(publishing).rejects.toThrow(ConfigurationError);
    await expect(publishing).rejects.toThrow(
      /"E1TEST" does not serve bucket "www-example" \(its origins: "another-bucket\.s3\.us-east-1\.amazonaws\.com"\)/,
    );
    expect(s3.calls()).toEqual([]);
  });

  it("a prefix outside the origin path names the prefix that would be served, not a base path", async () => {
    serving("www-example.s3.us-east-1.amazonaws.com", "/site");
    const publishing = publishTo({ prefix: "other/" });
    await expect(publishing).rejects.toThrow(
      /outside the origin path "\/site" of distribution E1TEST.*--prefix "site\/other\/"/,
    );
    await expect(publishing).rejects.not.toThrow(/--base \/\//);
    expect(s3.calls()).toEqual([]);
  });

  it("a prefix inside the origin path is served at the rest of it", async () => {
    serving("www-example.s3.us-east-1.amazonaws.com", "/site");
    await expect(publishTo({ prefix: "site/", "dry-run": "true" })).resolves.toMatchObject({
      url: "https://d111.cloudfront.net/index.html",
    });
  });
});
