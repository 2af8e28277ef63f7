import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateFunctionCommand,
  CreateInvalidationCommand,
  CreateKeyValueStoreCommand,
  DescribeFunctionCommand,
  DescribeKeyValueStoreCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  PublishFunctionCommand,
} from "@aws-sdk/client-cloudfront";
import {
  CloudFrontKeyValueStoreClient,
  DescribeKeyValueStoreCommand as DescribeKeysCommand,
  GetKeyCommand,
  PutKeyCommand,
} from "@aws-sdk/client-cloudfront-keyvaluestore";
import { afterAll, expect, it } from "vitest";
import { keyValueStoreClientConfig } from "../../src/index";
import { clientConfig } from "../helpers/cloud";
import { type EdgeCloud, eventually, s3Writer, spaConfig, startEdgeCloud } from "./support";

const stateDir = mkdtempSync(join(tmpdir(), "localcloud-cloudfront-"));
const functionsStateDir = mkdtempSync(join(tmpdir(), "localcloud-functions-"));
const clouds: EdgeCloud[] = [];
afterAll(async () => {
  for (const cloud of clouds) await cloud.dispose();
  for (const dir of [stateDir, functionsStateDir]) rmSync(dir, { recursive: true, force: true });
});

it("keeps distributions, invalidations and edge ports across a stop and start", async () => {
  // A long delay: the invalidation is still in progress when the cloud stops.
  const first = await startEdgeCloud({ invalidationDelayMs: 1500 }, stateDir);
  clouds.push(first);
  await s3Writer(first, "kept").createBucket();
  await s3Writer(first, "kept").put("index.html", "<p>kept</p>", "no-cache");
  const before = new CloudFrontClient(clientConfig(first));
  const created = await before.send(
    new CreateDistributionCommand({ DistributionConfig: spaConfig("persist-1", "kept") }),
  );
  const id = created.Distribution?.Id ?? "";
  const invalidation = await before.send(
    new CreateInvalidationCommand({
      DistributionId: id,
      InvalidationBatch: { CallerReference: "persist", Paths: { Quantity: 1, Items: ["/*"] } },
    }),
  );
  await first.stop();

  const second = await startEdgeCloud({}, stateDir);
  clouds.push(second);
  const after = new CloudFrontClient(clientConfig(second));
  const got = await after.send(new GetDistributionCommand({ Id: id }));
  expect(got.ETag).toBe(created.ETag);
  expect(got.Distribution?.DomainName).toBe(created.Distribution?.DomainName);
  expect(got.Distribution?.DistributionConfig?.CallerReference).toBe("persist-1");
  const edge = await fetch(`http://${got.Distribution?.DomainName}/`);
  expect(await edge.text()).toBe("<p>kept</p>");

  const listed = await after.send(new ListInvalidationsCommand({ DistributionId: id }));
  expect(listed.InvalidationList?.Items?.map((i) => i.Id)).toEqual([invalidation.Invalidation?.Id]);
  await eventually(async () => {
    const status = await after.send(
      new GetInvalidationCommand({ DistributionId: id, Id: invalidation.Invalidation?.Id }),
    );
    return status.Invalidation?.Status === "Completed";
  });
});

it("keeps functions, key value stores and their keys across a stop and start", async () => {
  const dir = functionsStateDir;
  const first = await startEdgeCloud({}, dir);
  clouds.push(first);
  await s3Writer(first, "releases").createBucket();
  await s3Writer(first, "releases").put("r1/index.html", "<p>r1</p>");
  const cloudfront = new CloudFrontClient(clientConfig(first));
  const store = await cloudfront.send(new CreateKeyValueStoreCommand({ Name: "kept" }));
  const kvsArn = store.KeyValueStore?.ARN ?? "";
  const kvs = new CloudFrontKeyValueStoreClient(keyValueStoreClientConfig(first));
  const described = await kvs.send(new DescribeKeysCommand({ KvsARN: kvsArn }));
  const put = await kvs.send(
    new PutKeyCommand({ KvsARN: kvsArn, Key: "current", Value: "r1", IfMatch: described.ETag }),
  );
  const created = await cloudfront.send(
    new CreateFunctionCommand({
      Name: "kept-router",
      FunctionConfig: {
        Comment: "",
        Runtime: "cloudfront-js-2.0",
        KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: kvsArn }] },
      },
      FunctionCode: new TextEncoder().encode(
        "import cf from 'cloudfront';\nasync function handler(e) { e.request.uri = '/' + (await cf.kvs().get('current')) + e.request.uri; return e.request; }",
      ),
    }),
  );
  await cloudfront.send(new PublishFunctionCommand({ Name: "kept-router", IfMatch: created.ETag }));
  const arn = created.FunctionSummary?.FunctionMetadata?.FunctionARN ?? "";
  const base = spaConfig("kept-functions", "releases");
  const distribution = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        ...base,
        DefaultCacheBehavior: {
          ...(base.DefaultCacheBehavior as NonNullable<typeof base.DefaultCacheBehavior>),
          FunctionAssociations: {
            Quantity: 1,
            Items: [{ FunctionARN: arn, EventType: "viewer-request" }],
          },
        },
      },
    }),
  );
  await first.stop();

  const second = await startEdgeCloud({}, dir);
  clouds.push(second);
  const after = new CloudFrontClient(clientConfig(second));
  const live = await after.send(
    new DescribeFunctionCommand({ Name: "kept-router", Stage: "LIVE" }),
  );
  expect(live.ETag).toBe(created.ETag);
  expect(
    (await after.send(new DescribeKeyValueStoreCommand({ Name: "kept" }))).KeyValueStore?.ARN,
  ).toBe(kvsArn);
  const kvsAfter = new CloudFrontKeyValueStoreClient(keyValueStoreClientConfig(second));
  expect((await kvsAfter.send(new DescribeKeysCommand({ KvsARN: kvsArn }))).ETag).toBe(put.ETag);
  expect((await kvsAfter.send(new GetKeyCommand({ KvsARN: kvsArn, Key: "current" }))).Value).toBe(
    "r1",
  );
  const edge = await fetch(`http://${distribution.Distribution?.DomainName}/index.html`);
  expect(await edge.text()).toBe("<p>r1</p>");
});
