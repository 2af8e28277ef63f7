import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFrontService } from "../../src/services/cloudfront";
import { canonicalInvalidationPath } from "../../src/services/cloudfront/invalidation-rules";
import { clientConfig } from "../helpers/cloud";
import { type EdgeCloud, eventually, s3Writer, spaConfig, startEdgeCloud } from "./support";

/**
 * CloudFront documents that an invalidation path has its non-ASCII and RFC 1738 unsafe characters
 * URL-encoded and no others, "or CloudFront will not invalidate" the object. The edge purges
 * accordingly: a path with a needless escape (`%28` for `(`) purges nothing.
 */
const run = promisify(execFile);
/** Debian's AWS CLI v2 (the `aws` on PATH may be another install). */
const AWS_CLI = "/usr/bin/aws";

let cloud: EdgeCloud;
let cloudfront: CloudFrontClient;
let distributionId: string;
let edgeUrl: string;
const site = () => s3Writer(cloud, "paths-site");
let references = 0;

beforeAll(async () => {
  cloud = await startEdgeCloud({ invalidationDelayMs: 50 });
  cloudfront = new CloudFrontClient(clientConfig(cloud));
  await site().createBucket();
  const created = await cloudfront.send(
    new CreateDistributionCommand({ DistributionConfig: spaConfig("paths-1", "paths-site") }),
  );
  distributionId = created.Distribution?.Id ?? "";
  edgeUrl = cloud.service<CloudFrontService>("cloudfront").edgeUrl(distributionId);
});
afterAll(async () => {
  await cloud?.dispose();
});

/** Puts `key`, has the edge cache it (fetched at `url`), then changes it in the bucket. */
async function cachedThenChanged(key: string, url: string): Promise<() => Promise<string>> {
  await site().put(key, "v1", "max-age=3600");
  const seen = () => fetch(`${edgeUrl}${url}`).then((response) => response.text());
  expect(await seen()).toBe("v1");
  await site().put(key, "v2", "max-age=3600");
  expect(await seen()).toBe("v1");
  return seen;
}

const completed = async (id: string) => {
  await eventually(async () => {
    const got = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
    );
    return got.Invalidation?.Status === "Completed";
  });
};

async function invalidate(path: string): Promise<void> {
  references += 1;
  const created = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: `paths-${references}`,
        Paths: { Quantity: 1, Items: [path] },
      },
    }),
  );
  await completed(created.Invalidation?.Id ?? "");
}

describe("invalidation paths as CloudFront matches them", () => {
  it.each([
    ["/a(1)!.html", "/a(1)!.html"],
    ["/a%281%29%21.html", "/a%281%29%21.html"],
    ["/caf%c3%a9 ~x.html", "/caf%C3%A9%20%7Ex.html"],
    ["/café ~x.html", "/caf%C3%A9%20%7Ex.html"],
    ["/news?page=1", "/news?page=1"],
  ])("%s is spelled %s", (path, canonical) => {
    expect(canonicalInvalidationPath(path)).toBe(canonical);
  });

  it("a needless escape of a safe character invalidates nothing; the documented form does", async () => {
    const seen = await cachedThenChanged("a(1)!.html", "/a(1)!.html");
    await invalidate("/a%281%29%21.html");
    expect(await seen()).toBe("v1");
    await invalidate("/a(1)!.html");
    expect(await seen()).toBe("v2");
  });

  it("non-ASCII and unsafe characters purge whether they are sent encoded or not", async () => {
    const encoded = await cachedThenChanged("naïve ~y.html", "/na%C3%AFve%20~y.html");
    await invalidate("/na%C3%AFve%20%7Ey.html");
    expect(await encoded()).toBe("v2");
    const plain = await cachedThenChanged("café ~x.html", "/caf%C3%A9%20~x.html");
    await invalidate("/café ~x.html");
    expect(await plain()).toBe("v2");
  });

  it("the AWS CLI's invalidation of an encoded path purges the object", async () => {
    const seen = await cachedThenChanged("über ~z.html", "/%C3%BCber%20~z.html");
    const { stdout } = await run(
      AWS_CLI,
      [
        "--endpoint-url",
        cloud.endpoint,
        "--output",
        "json",
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        distributionId,
        "--paths",
        "/%C3%BCber%20%7Ez.html",
      ],
      { env: { ...process.env, ...cloud.env(), AWS_CONFIG_FILE: "/dev/null" } },
    );
    const created = JSON.parse(stdout) as { Invalidation: { Id: string } };
    await completed(created.Invalidation.Id);
    expect(await seen()).toBe("v2");
  });
});
