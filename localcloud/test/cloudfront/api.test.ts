import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  DeleteDistributionCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  UpdateDistributionCommand,
  waitUntilDistributionDeployed,
  waitUntilInvalidationCompleted,
} from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFrontService } from "../../src/services/cloudfront";
import { clientConfig } from "../helpers/cloud";
import { type EdgeCloud, eventually, spaConfig, startEdgeCloud } from "./support";

let cloud: EdgeCloud;
let cloudfront: CloudFrontClient;
let service: CloudFrontService;

beforeAll(async () => {
  cloud = await startEdgeCloud();
  cloudfront = new CloudFrontClient(clientConfig(cloud));
  service = cloud.service<CloudFrontService>("cloudfront");
});
afterAll(async () => {
  await cloud?.dispose();
});

const createDistribution = async (callerReference: string) => {
  const created = await cloudfront.send(
    new CreateDistributionCommand({ DistributionConfig: spaConfig(callerReference, "site") }),
  );
  return { id: created.Distribution?.Id ?? "", created };
};

describe("distributions", () => {
  it("creates a distribution whose DomainName is its reachable edge, then deploys it", async () => {
    const { id, created } = await createDistribution("create-1");
    expect(id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(created.ETag).toMatch(/^E[A-Z0-9]+$/);
    expect(created.Location).toBe(`${cloud.endpoint}/2020-05-31/distribution/${id}`);
    const distribution = created.Distribution;
    expect(distribution?.ARN).toBe(`arn:aws:cloudfront::${cloud.accountId}:distribution/${id}`);
    expect(distribution?.Status).toBe("InProgress");
    expect(distribution?.DomainName).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(service.edgeUrl(id)).toBe(`http://${distribution?.DomainName}`);
    const edge = await fetch(`http://${distribution?.DomainName}/`);
    expect(edge.headers.get("x-amz-cf-id")).toBeTruthy();

    await waitUntilDistributionDeployed(
      { client: cloudfront, minDelay: 1, maxWaitTime: 10 },
      { Id: id },
    );
    const got = await cloudfront.send(new GetDistributionCommand({ Id: id }));
    expect(got.Distribution?.Status).toBe("Deployed");
    expect(got.ETag).toBe(created.ETag);
    const config = got.Distribution?.DistributionConfig;
    expect(config?.DefaultRootObject).toBe("index.html");
    expect(config?.Origins?.Items?.[0]?.DomainName).toBe("site.s3.us-east-1.amazonaws.com");
    expect(config?.DefaultCacheBehavior?.CachePolicyId).toBe(
      "658327ea-f89d-4fab-a63d-7e88639e58f6",
    );
    expect(config?.CustomErrorResponses?.Items?.map((r) => r.ErrorCode)).toEqual([403, 404]);
  });

  it("returns the same distribution for a repeated CallerReference, refuses another config", async () => {
    const first = await createDistribution("idempotent-1");
    const again = await createDistribution("idempotent-1");
    expect(again.id).toBe(first.id);
    await expect(
      cloudfront.send(
        new CreateDistributionCommand({
          DistributionConfig: spaConfig("idempotent-1", "site", undefined, { Comment: "other" }),
        }),
      ),
    ).rejects.toMatchObject({
      name: "DistributionAlreadyExists",
      $metadata: { httpStatusCode: 409 },
    });
  });

  it("validates origins, behaviours and cache policies as CloudFront does", async () => {
    const config = spaConfig("invalid-1", "site");
    const noOrigin = {
      ...config,
      DefaultCacheBehavior: { ...config.DefaultCacheBehavior, TargetOriginId: "missing" },
    };
    await expect(
      cloudfront.send(
        new CreateDistributionCommand({
          DistributionConfig: noOrigin as typeof config,
        }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchOrigin", $metadata: { httpStatusCode: 404 } });
    const badPolicy = {
      ...config,
      DefaultCacheBehavior: { ...config.DefaultCacheBehavior, CachePolicyId: "not-a-policy" },
    };
    await expect(
      cloudfront.send(
        new CreateDistributionCommand({ DistributionConfig: badPolicy as typeof config }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchCachePolicy" });
    await expect(
      cloudfront.send(
        new CreateDistributionCommand({
          DistributionConfig: { ...config, Origins: { Quantity: 2, Items: config.Origins?.Items } },
        }),
      ),
    ).rejects.toMatchObject({ name: "InconsistentQuantities" });
  });

  it("reads and updates the config under If-Match, and pages through the list", async () => {
    const { id } = await createDistribution("update-1");
    const current = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    const changed = { ...current.DistributionConfig, Comment: "updated" } as NonNullable<
      typeof current.DistributionConfig
    >;
    await expect(
      cloudfront.send(new UpdateDistributionCommand({ Id: id, DistributionConfig: changed })),
    ).rejects.toMatchObject({ name: "InvalidIfMatchVersion" });
    await expect(
      cloudfront.send(
        new UpdateDistributionCommand({ Id: id, DistributionConfig: changed, IfMatch: "EOLD" }),
      ),
    ).rejects.toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
    const updated = await cloudfront.send(
      new UpdateDistributionCommand({ Id: id, DistributionConfig: changed, IfMatch: current.ETag }),
    );
    expect(updated.ETag).not.toBe(current.ETag);
    expect(updated.Distribution?.DistributionConfig?.Comment).toBe("updated");
    expect(updated.Distribution?.Status).toBe("InProgress");
    await expect(
      cloudfront.send(
        new UpdateDistributionCommand({
          Id: id,
          DistributionConfig: { ...changed, CallerReference: "other" },
          IfMatch: updated.ETag,
        }),
      ),
    ).rejects.toMatchObject({ name: "IllegalUpdate" });

    const all = await cloudfront.send(new ListDistributionsCommand({}));
    const ids = all.DistributionList?.Items?.map((d) => d.Id) ?? [];
    expect(ids).toContain(id);
    const summary = all.DistributionList?.Items?.find((d) => d.Id === id);
    expect(summary?.Comment).toBe("updated");
    expect(summary?.DomainName).toBe(new URL(service.edgeUrl(id)).host);
    const firstPage = await cloudfront.send(new ListDistributionsCommand({ MaxItems: 1 }));
    expect(firstPage.DistributionList?.IsTruncated).toBe(ids.length > 1);
    const secondPage = await cloudfront.send(
      new ListDistributionsCommand({ MaxItems: 1, Marker: firstPage.DistributionList?.NextMarker }),
    );
    expect(secondPage.DistributionList?.Items?.[0]?.Id).toBe(ids[1]);
  });

  it("deletes only a disabled distribution, and its edge stops answering", async () => {
    const { id, created } = await createDistribution("delete-1");
    const edgeUrl = service.edgeUrl(id);
    await expect(
      cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: created.ETag })),
    ).rejects.toMatchObject({ name: "DistributionNotDisabled" });
    const config = created.Distribution?.DistributionConfig;
    const disabled = await cloudfront.send(
      new UpdateDistributionCommand({
        Id: id,
        IfMatch: created.ETag,
        DistributionConfig: { ...config, Enabled: false } as NonNullable<typeof config>,
      }),
    );
    expect((await fetch(`${edgeUrl}/`)).status).toBe(403);
    await cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: disabled.ETag }));
    await expect(cloudfront.send(new GetDistributionCommand({ Id: id }))).rejects.toMatchObject({
      name: "NoSuchDistribution",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(fetch(`${edgeUrl}/`)).rejects.toThrow();
  });
});

describe("alternate domain names", () => {
  const withAliases = (callerReference: string, aliases: string[]) =>
    cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: spaConfig(callerReference, "site", undefined, {
          Aliases: { Quantity: aliases.length, Items: aliases },
        }),
      }),
    );
  const cnameTaken = { name: "CNAMEAlreadyExists", $metadata: { httpStatusCode: 409 } };

  it("refuses a name another distribution holds; a wildcard may overlap an exact name", async () => {
    const first = await withAliases("alias-1", ["www.alias.test", "*.alias.test"]);
    const firstId = first.Distribution?.Id ?? "";
    await expect(withAliases("alias-2", ["www.alias.test"])).rejects.toMatchObject(cnameTaken);
    await expect(withAliases("alias-3", ["*.alias.test"])).rejects.toMatchObject(cnameTaken);
    // Overlapping but not identical: allowed in one account (the more specific name wins).
    const exact = await withAliases("alias-4", ["shop.alias.test", "alias.test"]);
    const wildcard = await withAliases("alias-5", ["*.shop.alias.test"]);
    expect(exact.Distribution?.Id).not.toBe(firstId);
    expect(wildcard.Distribution?.Id).toBeTruthy();
    // A repeated CallerReference with the same config is the same distribution, not a conflict.
    expect(
      (await withAliases("alias-1", ["www.alias.test", "*.alias.test"])).Distribution?.Id,
    ).toBe(firstId);

    // UpdateDistribution: taking another's name is refused, keeping one's own is not.
    const config = exact.Distribution?.DistributionConfig as NonNullable<
      NonNullable<typeof exact.Distribution>["DistributionConfig"]
    >;
    const aliases = (items: string[]) => ({ Quantity: items.length, Items: items });
    await expect(
      cloudfront.send(
        new UpdateDistributionCommand({
          Id: exact.Distribution?.Id,
          IfMatch: exact.ETag,
          DistributionConfig: { ...config, Aliases: aliases(["alias.test", "www.alias.test"]) },
        }),
      ),
    ).rejects.toMatchObject(cnameTaken);
    const kept = await cloudfront.send(
      new UpdateDistributionCommand({
        Id: exact.Distribution?.Id,
        IfMatch: exact.ETag,
        DistributionConfig: { ...config, Aliases: aliases(["alias.test", "m.alias.test"]) },
      }),
    );
    // The name it gave up is free for another distribution.
    await expect(withAliases("alias-6", ["shop.alias.test"])).resolves.toBeTruthy();
    expect(kept.Distribution?.DistributionConfig?.Aliases?.Items).toEqual([
      "alias.test",
      "m.alias.test",
    ]);
  });
});

describe("invalidations", () => {
  it("moves from InProgress to Completed and lists newest first", async () => {
    const { id } = await createDistribution("invalidate-1");
    const created = await cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: {
          CallerReference: "release-1",
          Paths: { Quantity: 2, Items: ["/index.html", "/"] },
        },
      }),
    );
    const invalidationId = created.Invalidation?.Id ?? "";
    expect(invalidationId).toMatch(/^I[A-Z0-9]+$/);
    expect(created.Invalidation?.Status).toBe("InProgress");
    expect(created.Location).toBe(
      `${cloud.endpoint}/2020-05-31/distribution/${id}/invalidation/${invalidationId}`,
    );
    const inFlight = await cloudfront.send(new GetDistributionCommand({ Id: id }));
    expect(inFlight.Distribution?.InProgressInvalidationBatches).toBe(1);

    await waitUntilInvalidationCompleted(
      { client: cloudfront, minDelay: 1, maxWaitTime: 10 },
      { DistributionId: id, Id: invalidationId },
    );
    const got = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: id, Id: invalidationId }),
    );
    expect(got.Invalidation?.Status).toBe("Completed");
    expect(got.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(["/index.html", "/"]);
    expect(got.Invalidation?.InvalidationBatch?.CallerReference).toBe("release-1");

    const second = await cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: { CallerReference: "release-2", Paths: { Quantity: 1, Items: ["/*"] } },
      }),
    );
    const listed = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: id }));
    expect(listed.InvalidationList?.Items?.map((i) => i.Id)).toEqual([
      second.Invalidation?.Id,
      invalidationId,
    ]);
    expect(listed.InvalidationList?.Items?.map((i) => i.Status)).toEqual([
      "InProgress",
      "Completed",
    ]);
  });

  it("replays a batch with the same CallerReference and refuses one with other paths", async () => {
    const { id } = await createDistribution("invalidate-2");
    const batch = (paths: string[]) =>
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: {
          CallerReference: "release-7:/index.html",
          Paths: { Quantity: paths.length, Items: paths },
        },
      });
    const first = await cloudfront.send(batch(["/index.html", "/"]));
    const replay = await cloudfront.send(batch(["/", "/index.html"]));
    expect(replay.Invalidation?.Id).toBe(first.Invalidation?.Id);
    await expect(cloudfront.send(batch(["/other.html"]))).rejects.toMatchObject({
      name: "InvalidationBatchAlreadyExists",
    });
    const listed = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: id }));
    expect(listed.InvalidationList?.Quantity).toBe(1);
  });

  it("refuses invalid paths and unknown ids", async () => {
    const { id } = await createDistribution("invalidate-3");
    for (const path of ["index.html", "/a*b", "/*/x"]) {
      await expect(
        cloudfront.send(
          new CreateInvalidationCommand({
            DistributionId: id,
            InvalidationBatch: { CallerReference: path, Paths: { Quantity: 1, Items: [path] } },
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidArgument" });
    }
    await expect(
      cloudfront.send(new GetInvalidationCommand({ DistributionId: id, Id: "INOPE" })),
    ).rejects.toMatchObject({ name: "NoSuchInvalidation", $metadata: { httpStatusCode: 404 } });
    await expect(
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: "ENOPE",
          InvalidationBatch: { CallerReference: "x", Paths: { Quantity: 1, Items: ["/"] } },
        }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchDistribution" });
  });

  it("refuses batches past 15 wildcards or 3,000 files in progress until they complete", async () => {
    const { id } = await createDistribution("invalidate-limits");
    service.setInvalidationDelay(1500);
    try {
      const invalidate = (reference: string, paths: string[]) =>
        cloudfront.send(
          new CreateInvalidationCommand({
            DistributionId: id,
            InvalidationBatch: {
              CallerReference: reference,
              Paths: { Quantity: paths.length, Items: paths },
            },
          }),
        );
      const wildcards = Array.from({ length: 15 }, (_, i) => `/dir${i}/*`);
      await invalidate("wild", wildcards);
      await expect(invalidate("wild-16", ["/more/*"])).rejects.toMatchObject({
        name: "TooManyInvalidationsInProgress",
        $metadata: { httpStatusCode: 400 },
      });
      const files = Array.from({ length: 3000 }, (_, i) => `/file${i}.html`);
      const big = await invalidate("files", files);
      await expect(invalidate("file-3001", ["/one-more.html"])).rejects.toMatchObject({
        name: "TooManyInvalidationsInProgress",
      });
      await expect(invalidate("too-large", [...files, "/x"])).rejects.toMatchObject({
        name: "BatchTooLarge",
        $metadata: { httpStatusCode: 413 },
      });
      await eventually(async () => {
        const got = await cloudfront.send(
          new GetInvalidationCommand({ DistributionId: id, Id: big.Invalidation?.Id }),
        );
        return got.Invalidation?.Status === "Completed";
      });
      const accepted = await invalidate("after", ["/one-more.html", "/more/*"]);
      expect(accepted.Invalidation?.Status).toBe("InProgress");
    } finally {
      service.setInvalidationDelay(200);
    }
  });

  it("answers injected throttling with CloudFront's Throttling error", async () => {
    cloud.faults.add({
      service: "cloudfront",
      operation: "ListDistributions",
      kind: "throttle",
      count: 1,
    });
    const noRetry = new CloudFrontClient({ ...clientConfig(cloud), maxAttempts: 1 });
    await expect(noRetry.send(new ListDistributionsCommand({}))).rejects.toMatchObject({
      name: "Throttling",
      $metadata: { httpStatusCode: 400 },
    });
    const withRetry = new CloudFrontClient({ ...clientConfig(cloud), maxAttempts: 3 });
    cloud.faults.add({
      service: "cloudfront",
      operation: "ListDistributions",
      kind: "throttle",
      count: 1,
    });
    const since = cloud.requestLog.lastSeq;
    await withRetry.send(new ListDistributionsCommand({}));
    expect(
      cloud.requestLog.list({ sinceSeq: since, service: "cloudfront" }).map((e) => e.status),
    ).toEqual([400, 200]);
  });
});
