/**
 * CloudFront Functions at localcloud's edge: what a viewer-request function with a key value
 * store read costs per request, and how long a release switch (one PutKey) takes to be served.
 *
 *   npx tsx bench/edge-functions/run.ts
 *
 * One distribution over one bucket, two cache behaviours that differ only in the function:
 * `/plain/*` has none, the default behaviour runs the release router (`cf.kvs().get('current')`
 * and a URI rewrite). Each is asked REQUESTS times in a row for a cached object (edge hits), so
 * the difference is the function. Then the switch: PutKey, then the first request that answers
 * with the new release.
 */
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateFunctionCommand,
  CreateKeyValueStoreCommand,
  DescribeFunctionCommand,
  PublishFunctionCommand,
} from "@aws-sdk/client-cloudfront";
import {
  CloudFrontKeyValueStoreClient,
  DescribeKeyValueStoreCommand,
  PutKeyCommand,
} from "@aws-sdk/client-cloudfront-keyvaluestore";
import { keyValueStoreClientConfig } from "../../localcloud/src/index";
import { cloudFrontServiceWith } from "../../localcloud/src/services/cloudfront";
import { runFunction } from "../../localcloud/src/services/cloudfront/functions/function-runtime";
import { cloudFrontKeyValueStoreService } from "../../localcloud/src/services/cloudfront-keyvaluestore";
import { s3Service } from "../../localcloud/src/services/s3";
import { stsService } from "../../localcloud/src/services/sts";
import { s3Writer, spaConfig } from "../../localcloud/test/cloudfront/support";
import { clientConfig, startTestCloud } from "../../localcloud/test/helpers/cloud";

const REQUESTS = 500;
const ROUTER = `import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const request = event.request;
  if (request.uri.startsWith('/plain/')) return request;
  request.uri = '/releases/' + (await kvs.get('current')) + request.uri;
  return request;
}`;

const percentile = (values: number[], p: number): string =>
  (
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ??
    0
  ).toFixed(2);

const cloud = await startTestCloud({
  timeScale: 1,
  services: [stsService, s3Service, cloudFrontServiceWith({}), cloudFrontKeyValueStoreService],
});
try {
  const cloudfront = new CloudFrontClient(clientConfig(cloud));
  const kvs = new CloudFrontKeyValueStoreClient(keyValueStoreClientConfig(cloud));
  const s3 = s3Writer(cloud, "site");
  await s3.createBucket();
  for (const release of ["r1", "r2"]) {
    await s3.put(`releases/${release}/index.html`, `release ${release}`, "max-age=300");
  }
  await s3.put("plain/index.html", "plain", "max-age=300");

  const store = await cloudfront.send(new CreateKeyValueStoreCommand({ Name: "releases" }));
  const kvsArn = store.KeyValueStore?.ARN ?? "";
  const etag = async () =>
    (await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }))).ETag;
  await kvs.send(
    new PutKeyCommand({ KvsARN: kvsArn, Key: "current", Value: "r1", IfMatch: await etag() }),
  );
  await cloudfront.send(
    new CreateFunctionCommand({
      Name: "router",
      FunctionConfig: {
        Comment: "bench",
        Runtime: "cloudfront-js-2.0",
        KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: kvsArn }] },
      },
      FunctionCode: new TextEncoder().encode(ROUTER),
    }),
  );
  const described = await cloudfront.send(new DescribeFunctionCommand({ Name: "router" }));
  await cloudfront.send(new PublishFunctionCommand({ Name: "router", IfMatch: described.ETag }));
  const arn = described.FunctionSummary?.FunctionMetadata?.FunctionARN ?? "";
  const base = spaConfig("bench", "site");
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
        CacheBehaviors: {
          Quantity: 1,
          Items: [
            {
              ...(base.DefaultCacheBehavior as NonNullable<typeof base.DefaultCacheBehavior>),
              PathPattern: "/plain/*",
            },
          ],
        },
      },
    }),
  );
  const edge = `http://${distribution.Distribution?.DomainName}`;

  const timeRequests = async (path: string): Promise<number[]> => {
    const times: number[] = [];
    await (await fetch(edge + path)).text();
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      await (await fetch(edge + path)).text();
      times.push(performance.now() - started);
    }
    return times;
  };
  const plain = await timeRequests("/plain/index.html");
  const routed = await timeRequests("/index.html");

  const inProcess = Array.from({ length: REQUESTS }, () =>
    runFunction({
      code: ROUTER,
      runtime: "cloudfront-js-2.0",
      event: { request: { uri: "/index.html" } },
      keyValueStores: [
        {
          id: "k",
          arn: kvsArn,
          get: () => "r1",
          meta: () => ({ creationDateTime: "", lastUpdatedDateTime: "", keyCount: 1 }),
        },
      ],
      timeLimitMs: 1000,
    }),
  );

  const switchStarted = performance.now();
  await kvs.send(
    new PutKeyCommand({ KvsARN: kvsArn, Key: "current", Value: "r2", IfMatch: await etag() }),
  );
  const putMs = performance.now() - switchStarted;
  let served = "";
  let polls = 0;
  while (served !== "release r2" && polls < 100) {
    served = await (await fetch(`${edge}/index.html`)).text();
    polls += 1;
  }
  const switchMs = performance.now() - switchStarted;

  console.log(`edge hits, ${REQUESTS} sequential requests (ms)      p50     p99`);
  console.log(
    `  no function                               ${percentile(plain, 0.5).padStart(7)} ${percentile(plain, 0.99).padStart(7)}`,
  );
  console.log(
    `  viewer-request function + kvs get         ${percentile(routed, 0.5).padStart(7)} ${percentile(routed, 0.99).padStart(7)}`,
  );
  console.log(`function run in-process (ms)                      p50     p99`);
  console.log(
    `  wall (fresh context excluded)             ${percentile(
      inProcess.map((o) => o.elapsedMs),
      0.5,
    ).padStart(7)} ${percentile(
      inProcess.map((o) => o.elapsedMs),
      0.99,
    ).padStart(7)}`,
  );
  console.log(
    `  cpu                                       ${percentile(
      inProcess.map((o) => o.cpuMs),
      0.5,
    ).padStart(7)} ${percentile(
      inProcess.map((o) => o.cpuMs),
      0.99,
    ).padStart(7)}`,
  );
  console.log(
    `release switch: PutKey ${putMs.toFixed(1)} ms, new release served after ${switchMs.toFixed(1)} ms (${polls} request(s), no invalidation)`,
  );
} finally {
  await cloud.dispose();
}
