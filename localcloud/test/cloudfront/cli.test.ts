import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  GetInvalidationCommand,
} from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFrontService } from "../../src/services/cloudfront";
import { clientConfig } from "../helpers/cloud";
import { type EdgeCloud, s3Writer, spaConfig, startEdgeCloud } from "./support";

const run = promisify(execFile);
/** Debian's AWS CLI v2 (the `aws` on PATH may be another install). */
const AWS_CLI = "/usr/bin/aws";

let cloud: EdgeCloud;
let distributionId: string;
let edgeUrl: string;
let dataPath: string;
let service: CloudFrontService;

/**
 * The CLI's `wait invalidation-completed` polls every 20 s and has no option to change it; its
 * botocore loader reads AWS_DATA_PATH first, so a waiter definition there with a 1 s delay keeps
 * the same acceptors (Invalidation.Status == Completed) at test speed.
 */
const writeFastWaiter = (): string => {
  const root = mkdtempSync(join(tmpdir(), "aws-data-"));
  const folder = join(root, "cloudfront", "2020-05-31");
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, "waiters-2.json"),
    JSON.stringify({
      version: 2,
      waiters: {
        InvalidationCompleted: {
          delay: 1,
          operation: "GetInvalidation",
          maxAttempts: 20,
          acceptors: [
            {
              expected: "Completed",
              matcher: "path",
              state: "success",
              argument: "Invalidation.Status",
            },
          ],
        },
      },
    }),
  );
  return root;
};

const aws = async (...args: string[]) => {
  const { stdout } = await run(
    AWS_CLI,
    ["--endpoint-url", cloud.endpoint, "--output", "json", ...args],
    {
      env: {
        ...process.env,
        ...cloud.env(),
        AWS_CONFIG_FILE: "/dev/null",
        AWS_DATA_PATH: dataPath,
      },
    },
  );
  return stdout.trim() === "" ? {} : JSON.parse(stdout);
};

beforeAll(async () => {
  dataPath = writeFastWaiter();
  cloud = await startEdgeCloud();
  await s3Writer(cloud, "cli-site").createBucket();
  const created = await new CloudFrontClient(clientConfig(cloud)).send(
    new CreateDistributionCommand({ DistributionConfig: spaConfig("cli-1", "cli-site") }),
  );
  distributionId = created.Distribution?.Id ?? "";
  service = cloud.service<CloudFrontService>("cloudfront");
  edgeUrl = service.edgeUrl(distributionId);
});
afterAll(async () => {
  await cloud?.dispose();
  rmSync(dataPath, { recursive: true, force: true });
});

describe("the AWS CLI v2 against CloudFront", () => {
  it("creates an invalidation, reads it, and waits until it completes and has purged", async () => {
    const site = s3Writer(cloud, "cli-site");
    await site.put("index.html", "<p>old</p>", "max-age=3600");
    expect(await (await fetch(`${edgeUrl}/index.html`)).text()).toBe("<p>old</p>");
    await site.put("index.html", "<p>new</p>", "max-age=3600");

    // Long enough to outlast the CLI's start-up (seconds on a busy machine) for two calls.
    service.setInvalidationDelay(10_000);
    const created = await aws(
      "cloudfront",
      "create-invalidation",
      "--distribution-id",
      distributionId,
      "--paths",
      "/index.html",
      "/",
    );
    service.setInvalidationDelay(200);
    const invalidationId: string = created.Invalidation.Id;
    expect(created.Invalidation.Status).toBe("InProgress");
    expect(created.Location).toContain(
      `/distribution/${distributionId}/invalidation/${invalidationId}`,
    );
    expect(created.Invalidation.InvalidationBatch.Paths.Items).toEqual(["/index.html", "/"]);

    const since = cloud.requestLog.lastSeq;
    const ids = ["--distribution-id", distributionId, "--id", invalidationId];
    const [got] = await Promise.all([
      aws("cloudfront", "get-invalidation", ...ids),
      aws("cloudfront", "wait", "invalidation-completed", ...ids),
    ]);
    expect(got.Invalidation.Id).toBe(invalidationId);
    expect(got.Invalidation.Status).toBe("InProgress");
    // The waiter polled while the invalidation was in progress, and returned once it completed.
    const polls = cloud.requestLog.list({ sinceSeq: since, operation: "GetInvalidation" });
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(created.Invalidation.CreateTime) + 10_000);
    const done = await new CloudFrontClient(clientConfig(cloud)).send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }),
    );
    expect(done.Invalidation?.Status).toBe("Completed");
    expect(await (await fetch(`${edgeUrl}/index.html`)).text()).toBe("<p>new</p>");
  });

  it("replays an invalidation batch with the same CallerReference", async () => {
    const batch = (paths: string[]) =>
      JSON.stringify({
        Paths: { Quantity: paths.length, Items: paths },
        CallerReference: "cli-release-9",
      });
    const invalidate = (paths: string[]) =>
      aws(
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        distributionId,
        "--invalidation-batch",
        batch(paths),
      );
    const first = await invalidate(["/a.html"]);
    const [again, other] = await Promise.allSettled([
      invalidate(["/a.html"]),
      invalidate(["/b.html"]),
    ]);
    expect(again.status === "fulfilled" && again.value.Invalidation.Id).toBe(first.Invalidation.Id);
    expect(other.status === "rejected" && String(other.reason)).toMatch(
      /InvalidationBatchAlreadyExists/,
    );
  });

  it("reports TooManyInvalidationsInProgress past 15 wildcard paths", async () => {
    service.setInvalidationDelay(60_000);
    try {
      const wildcards = Array.from({ length: 15 }, (_, i) => `/w${i}/*`);
      await aws(
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        distributionId,
        "--paths",
        ...wildcards,
      );
      await expect(
        aws(
          "cloudfront",
          "create-invalidation",
          "--distribution-id",
          distributionId,
          "--paths",
          "/one-more/*",
        ),
      ).rejects.toThrow(/TooManyInvalidationsInProgress/);
    } finally {
      service.setInvalidationDelay(200);
    }
  });
});
