import { Agent, request } from "node:http";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateFunctionCommand,
  CreateKeyValueStoreCommand,
  DeleteFunctionCommand,
  DeleteKeyValueStoreCommand,
  DescribeFunctionCommand,
  DescribeKeyValueStoreCommand as DescribeStoreCommand,
  type DistributionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  ListFunctionsCommand,
  ListInvalidationsCommand,
  ListKeyValueStoresCommand,
  PublishFunctionCommand,
  TestFunctionCommand,
  UpdateFunctionCommand,
} from "@aws-sdk/client-cloudfront";
import {
  CloudFrontKeyValueStoreClient,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  ListKeysCommand,
  PutKeyCommand,
  UpdateKeysCommand,
} from "@aws-sdk/client-cloudfront-keyvaluestore";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accountPrefixedLookup, keyValueStoreClientConfig } from "../../src/index";
import { cloudFrontServiceWith } from "../../src/services/cloudfront";
import { cloudFrontKeyValueStoreService } from "../../src/services/cloudfront-keyvaluestore";
import { s3Service } from "../../src/services/s3";
import { stsService } from "../../src/services/sts";
import { clientConfig, startTestCloud } from "../helpers/cloud";
import { httpOrigin, s3Writer, spaConfig, startApiOrigin } from "./support";

/** The function an atomic web release uses: every path is served from the release the KVS names. */
const ROUTER = `import cf from 'cloudfront';
const kvs = cf.kvs();

async function handler(event) {
  const request = event.request;
  const release = await kvs.get('current');
  const path = request.uri === '/' ? '/index.html' : request.uri;
  request.uri = '/releases/' + release + path;
  console.log('release ' + release);
  return request;
}
`;

const FUNCTION_TIME_LIMIT_MS = 250;

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let cloudfront: CloudFrontClient;
let kvs: CloudFrontKeyValueStoreClient;
let kvsArn: string;
let distributionDomain: string;

const code = (source: string) => new TextEncoder().encode(source);

const createFunction = (name: string, source: string, kvsArns: string[] = []) =>
  cloudfront.send(
    new CreateFunctionCommand({
      Name: name,
      FunctionConfig: {
        Comment: name,
        Runtime: "cloudfront-js-2.0",
        ...(kvsArns.length > 0
          ? {
              KeyValueStoreAssociations: {
                Quantity: kvsArns.length,
                Items: kvsArns.map((arn) => ({ KeyValueStoreARN: arn })),
              },
            }
          : {}),
      },
      FunctionCode: code(source),
    }),
  );

const publish = async (name: string) => {
  const described = await cloudfront.send(new DescribeFunctionCommand({ Name: name }));
  await cloudfront.send(new PublishFunctionCommand({ Name: name, IfMatch: described.ETag }));
  return cloudfront.send(new DescribeFunctionCommand({ Name: name, Stage: "LIVE" }));
};

const testFunction = async (name: string, event: unknown) => {
  const described = await cloudfront.send(new DescribeFunctionCommand({ Name: name }));
  const { TestResult } = await cloudfront.send(
    new TestFunctionCommand({
      Name: name,
      IfMatch: described.ETag,
      EventObject: code(JSON.stringify(event)),
    }),
  );
  return TestResult;
};

const viewerRequestEvent = (uri: string) => ({
  version: "1.0",
  context: { eventType: "viewer-request" },
  viewer: { ip: "192.0.2.10" },
  request: { method: "GET", uri, querystring: {}, headers: {}, cookies: {} },
});

const currentETag = async () =>
  (await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }))).ETag;

const edge = async (path: string) => {
  const response = await fetch(`http://${distributionDomain}${path}`);
  return {
    status: response.status,
    body: await response.text(),
    cache: response.headers.get("x-cache"),
  };
};

const withFunctions = (
  config: DistributionConfig,
  viewerRequest: string,
  extra: Array<{
    path: string;
    associations: Array<{ EventType: "viewer-request" | "viewer-response"; FunctionARN: string }>;
  }>,
): DistributionConfig => ({
  ...config,
  DefaultCacheBehavior: {
    ...(config.DefaultCacheBehavior as NonNullable<DistributionConfig["DefaultCacheBehavior"]>),
    FunctionAssociations: {
      Quantity: 1,
      Items: [{ FunctionARN: viewerRequest, EventType: "viewer-request" }],
    },
  },
  CacheBehaviors: {
    Quantity: extra.length,
    Items: extra.map(({ path, associations }) => ({
      PathPattern: path,
      TargetOriginId: "web",
      ViewerProtocolPolicy: "redirect-to-https",
      CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      FunctionAssociations: { Quantity: associations.length, Items: associations },
    })),
  },
});

beforeAll(async () => {
  cloud = await startTestCloud({
    timeScale: 1,
    services: [
      stsService,
      s3Service,
      cloudFrontServiceWith({
        invalidationDelayMs: 200,
        deployDelayMs: 100,
        defaultErrorCachingMinTtl: 0,
        functionTimeLimitMs: FUNCTION_TIME_LIMIT_MS,
      }),
      cloudFrontKeyValueStoreService,
    ],
  });
  cloudfront = new CloudFrontClient(clientConfig(cloud));
  kvs = new CloudFrontKeyValueStoreClient(keyValueStoreClientConfig(cloud));
  const s3 = s3Writer(cloud, "site");
  await s3.createBucket();
  for (const release of ["r1", "r2"]) {
    await s3.put(`releases/${release}/index.html`, `<h1>release ${release}</h1>`, "max-age=300");
    await s3.put(`releases/${release}/app.js`, `console.log("${release}")`, "max-age=300");
  }
});
afterAll(async () => {
  await cloud?.dispose();
});

describe("key value stores", () => {
  it("are created through the CloudFront API and written through the SigV4A data plane with If-Match", async () => {
    const created = await cloudfront.send(
      new CreateKeyValueStoreCommand({ Name: "releases", Comment: "current web release" }),
    );
    kvsArn = created.KeyValueStore?.ARN ?? "";
    expect(kvsArn).toMatch(
      new RegExp(`^arn:aws:cloudfront::${cloud.accountId}:key-value-store/[0-9a-f-]{36}$`),
    );
    expect(created.KeyValueStore?.Status).toBe("READY");
    const described = await cloudfront.send(new DescribeStoreCommand({ Name: "releases" }));
    expect(described.ETag).toBe(created.ETag);
    const listed = await cloudfront.send(new ListKeyValueStoresCommand({}));
    expect(listed.KeyValueStoreList?.Items?.map((s) => s.Name)).toEqual(["releases"]);

    const empty = await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }));
    expect(empty.ItemCount).toBe(0);
    expect(empty.ETag).toBeTruthy();
    const put = await kvs.send(
      new PutKeyCommand({ KvsARN: kvsArn, Key: "current", Value: "r1", IfMatch: empty.ETag }),
    );
    expect(put.ItemCount).toBe(1);
    expect(put.TotalSizeInBytes).toBe("current".length + "r1".length);
    expect(put.ETag).not.toBe(empty.ETag);
    expect((await kvs.send(new GetKeyCommand({ KvsARN: kvsArn, Key: "current" }))).Value).toBe(
      "r1",
    );

    // The version the first put was based on is stale now: a second writer cannot overwrite.
    await expect(
      kvs.send(
        new PutKeyCommand({ KvsARN: kvsArn, Key: "current", Value: "r2", IfMatch: empty.ETag }),
      ),
    ).rejects.toMatchObject({ name: "ConflictException", $metadata: { httpStatusCode: 409 } });
    expect((await kvs.send(new GetKeyCommand({ KvsARN: kvsArn, Key: "current" }))).Value).toBe(
      "r1",
    );

    const updated = await kvs.send(
      new UpdateKeysCommand({
        KvsARN: kvsArn,
        IfMatch: put.ETag,
        Puts: [{ Key: "previous", Value: "r0" }],
      }),
    );
    expect(updated.ItemCount).toBe(2);
    const keys = await kvs.send(new ListKeysCommand({ KvsARN: kvsArn }));
    expect(keys.Items).toEqual([
      { Key: "current", Value: "r1" },
      { Key: "previous", Value: "r0" },
    ]);
    await expect(
      kvs.send(new GetKeyCommand({ KvsARN: kvsArn, Key: "missing" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("is found through AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE from the cloud's environment", async () => {
    const endpoint = cloud.env().AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE ?? "";
    expect(endpoint).toBe(cloud.endpoint.replace("127.0.0.1", "localhost"));
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE", endpoint);
    try {
      const fromEnvironment = new CloudFrontKeyValueStoreClient({
        region: cloud.region,
        credentials: cloud.credentials,
        requestHandler: { httpAgent: new Agent({ lookup: accountPrefixedLookup }) },
      });
      const described = await fromEnvironment.send(
        new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }),
      );
      expect(described.KvsARN).toBe(kvsArn);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("refuses data-plane calls whose SigV4A signature was made with another secret", async () => {
    const forged = new CloudFrontKeyValueStoreClient({
      ...keyValueStoreClientConfig(cloud),
      credentials: { ...cloud.credentials, secretAccessKey: "not-the-secret" },
    });
    await expect(
      forged.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });
});

describe("CloudFront Functions", () => {
  it("creates, tests, publishes and serves a release router that reads the key value store", async () => {
    const created = await createFunction("release-router", ROUTER, [kvsArn]);
    expect(created.FunctionSummary?.Status).toBe("UNPUBLISHED");
    expect(created.FunctionSummary?.FunctionMetadata?.Stage).toBe("DEVELOPMENT");
    expect(created.FunctionSummary?.FunctionConfig?.KeyValueStoreAssociations?.Items).toEqual([
      { KeyValueStoreARN: kvsArn },
    ]);
    const got = await cloudfront.send(new GetFunctionCommand({ Name: "release-router" }));
    expect(new TextDecoder().decode(got.FunctionCode)).toBe(ROUTER);

    const tested = await testFunction("release-router", viewerRequestEvent("/index.html"));
    expect(tested?.FunctionErrorMessage ?? "").toBe("");
    expect(JSON.parse(tested?.FunctionOutput ?? "{}").request.uri).toBe("/releases/r1/index.html");
    expect(tested?.FunctionExecutionLogs).toEqual(["release r1"]);
    const utilization = Number(tested?.ComputeUtilization);
    expect(utilization).toBeGreaterThanOrEqual(0);
    expect(utilization).toBeLessThanOrEqual(100);

    const arn = created.FunctionSummary?.FunctionMetadata?.FunctionARN ?? "";
    // Distributions run the LIVE stage: an unpublished function cannot be associated.
    await expect(
      cloudfront.send(
        new CreateDistributionCommand({
          DistributionConfig: withFunctions(spaConfig("router-early", "site"), arn, []),
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidFunctionAssociation" });
    await expect(
      cloudfront.send(new DescribeFunctionCommand({ Name: "release-router", Stage: "LIVE" })),
    ).rejects.toMatchObject({ name: "NoSuchFunctionExists" });

    const live = await publish("release-router");
    expect(live.FunctionSummary?.FunctionMetadata?.Stage).toBe("LIVE");
    await createFunction(
      "add-header",
      `function handler(event) {
  var response = event.response;
  response.headers['x-release-router'] = { value: 'yes' };
  return response;
}`,
    );
    const headerArn = (await publish("add-header")).FunctionSummary?.FunctionMetadata?.FunctionARN;
    await createFunction("spin", "function handler(event) { while (true) {} }");
    const spinArn = (await publish("spin")).FunctionSummary?.FunctionMetadata?.FunctionARN;

    const distribution = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: withFunctions(spaConfig("router", "site"), arn, [
          {
            path: "/spin/*",
            associations: [{ EventType: "viewer-request", FunctionARN: spinArn ?? "" }],
          },
          {
            path: "/app.js",
            associations: [
              { EventType: "viewer-request", FunctionARN: arn },
              { EventType: "viewer-response", FunctionARN: headerArn ?? "" },
            ],
          },
        ]),
      }),
    );
    distributionDomain = distribution.Distribution?.DomainName ?? "";
    expect(
      (await cloudfront.send(new DescribeFunctionCommand({ Name: "release-router" })))
        .FunctionSummary?.Status,
    ).toBe("DEPLOYED");

    expect(await edge("/index.html")).toMatchObject({
      status: 200,
      body: "<h1>release r1</h1>",
      cache: "Miss from cloudfront",
    });
    expect(await edge("/")).toMatchObject({ status: 200, body: "<h1>release r1</h1>" });
    expect(await edge("/index.html")).toMatchObject({ cache: "Hit from cloudfront" });

    const appJs = await fetch(`http://${distributionDomain}/app.js`);
    expect(await appJs.text()).toBe('console.log("r1")');
    expect(appJs.headers.get("x-release-router")).toBe("yes");

    // A function that loops forever is stopped at its limit; the viewer gets CloudFront's 503.
    const started = Date.now();
    expect((await edge("/spin/x")).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("switches what the edge serves with one PutKey, without an invalidation", async () => {
    await kvs.send(
      new PutKeyCommand({
        KvsARN: kvsArn,
        Key: "current",
        Value: "r2",
        IfMatch: await currentETag(),
      }),
    );
    expect(await edge("/index.html")).toMatchObject({
      body: "<h1>release r2</h1>",
      cache: "Miss from cloudfront",
    });
    // Switching back is instant too: the rewritten URI is the cache key, r1's copy is still cached.
    await kvs.send(
      new PutKeyCommand({
        KvsARN: kvsArn,
        Key: "current",
        Value: "r1",
        IfMatch: await currentETag(),
      }),
    );
    expect(await edge("/index.html")).toMatchObject({
      body: "<h1>release r1</h1>",
      cache: "Hit from cloudfront",
    });
    const distributions = await cloudfront.send(new ListFunctionsCommand({ Stage: "LIVE" }));
    expect(distributions.FunctionList?.Items?.map((f) => f.Name)).toEqual([
      "release-router",
      "add-header",
      "spin",
    ]);
    const id = distributionDomain && (await distributionId());
    const invalidations = await cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: id }),
    );
    expect(invalidations.InvalidationList?.Quantity).toBe(0);
  });

  it("refuses code over 10 KB and stops code that uses the network, modules, eval or loops forever", async () => {
    const big = `function handler(event) { return event.request; }\n// ${"x".repeat(10 * 1024)}`;
    await expect(createFunction("too-big", big)).rejects.toMatchObject({
      name: "FunctionSizeLimitExceeded",
      $metadata: { httpStatusCode: 413 },
    });
    await expect(createFunction("broken", "function handler(event) {")).rejects.toMatchObject({
      name: "InvalidArgument",
    });
    const cases: Array<[string, string, RegExp]> = [
      [
        "uses-http",
        "function handler(e) { var http = require('http'); return e.request; }",
        /Cannot find module 'http'/,
      ],
      [
        "uses-fetch",
        "async function handler(e) { await fetch('http://127.0.0.1/'); return e.request; }",
        /fetch is not defined/,
      ],
      [
        "uses-eval",
        "function handler(e) { return eval('e.request'); }",
        /Code generation from strings disallowed/,
      ],
      [
        "uses-function",
        "function handler(e) { return new Function('return 1')(); }",
        /Code generation from strings disallowed/,
      ],
      ["uses-process", "function handler(e) { return process.env; }", /process is not defined/],
      ["loops", "function handler(e) { for (;;) {} }", /time limit/],
      [
        "loops-after-await",
        "import cf from 'cloudfront';\nasync function handler(e) { await cf.kvs().exists('current'); for (;;) {} }",
        /time limit/,
      ],
    ];
    for (const [name, source, error] of cases) {
      await createFunction(name, source, name === "loops-after-await" ? [kvsArn] : []);
      const started = Date.now();
      const result = await testFunction(name, viewerRequestEvent("/"));
      expect(result?.FunctionErrorMessage, name).toMatch(error);
      expect(result?.FunctionOutput ?? "", name).toBe("");
      expect(Date.now() - started, name).toBeLessThan(5_000);
    }
  });

  it("keeps versions with If-Match and refuses to delete what is in use", async () => {
    const described = await cloudfront.send(
      new DescribeFunctionCommand({ Name: "release-router" }),
    );
    const updated = await cloudfront.send(
      new UpdateFunctionCommand({
        Name: "release-router",
        IfMatch: described.ETag,
        FunctionConfig: described.FunctionSummary?.FunctionConfig,
        FunctionCode: code(ROUTER.replace("release ", "serving ")),
      }),
    );
    expect(updated.ETag).not.toBe(described.ETag);
    expect(updated.FunctionSummary?.Status).toBe("UNPUBLISHED");
    await expect(
      cloudfront.send(
        new UpdateFunctionCommand({
          Name: "release-router",
          IfMatch: described.ETag,
          FunctionConfig: described.FunctionSummary?.FunctionConfig,
          FunctionCode: code(ROUTER),
        }),
      ),
    ).rejects.toMatchObject({ name: "PreconditionFailed" });
    // The edge still runs the LIVE stage until the update is published.
    expect((await edge("/index.html")).body).toBe("<h1>release r1</h1>");

    await expect(
      cloudfront.send(new DeleteFunctionCommand({ Name: "release-router", IfMatch: updated.ETag })),
    ).rejects.toMatchObject({ name: "FunctionInUse" });
    const store = await cloudfront.send(new DescribeStoreCommand({ Name: "releases" }));
    await expect(
      cloudfront.send(new DeleteKeyValueStoreCommand({ Name: "releases", IfMatch: store.ETag })),
    ).rejects.toMatchObject({ name: "CannotDeleteEntityWhileInUse" });
  });

  it("publishing a function a distribution runs has the distribution deploy it", async () => {
    const id = await distributionId();
    const status = async () =>
      (await cloudfront.send(new GetDistributionCommand({ Id: id }))).Distribution?.Status;
    const before = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    expect(await status()).toBe("Deployed");
    await publish("release-router");
    // CloudFront: associated behaviours use the new copy once the distributions finish deploying.
    expect(await status()).toBe("InProgress");
    await vi.waitFor(async () => expect(await status()).toBe("Deployed"), {
      timeout: 5000,
      interval: 50,
    });
    // A deploy, not a change of the distribution's config.
    const after = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    expect(after.ETag).toBe(before.ETag);
    // A function no distribution runs deploys nothing.
    await createFunction("unassociated", ROUTER);
    await publish("unassociated");
    expect(await status()).toBe("Deployed");
  });
});

describe("the event and the answer", () => {
  it("gives a viewer-request function CloudFront's event and forwards what it rewrites", async () => {
    const seen: Array<{ url: string; headers: Record<string, unknown> }> = [];
    const origin = await startApiOrigin((req, _body, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" });
      res.end("from origin");
    });
    try {
      await createFunction(
        "echo-or-forward",
        `function handler(event) {
  var request = event.request;
  if (request.uri === '/echo') {
    return { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'application/json' } },
      cookies: { seen: { value: 'yes', attributes: 'Path=/' } }, body: JSON.stringify(event) };
  }
  if (request.uri === '/old') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/new' } } };
  }
  request.uri = '/v2' + request.uri;
  request.headers['x-from-function'] = { value: 'set' };
  delete request.headers['x-drop-me'];
  request.querystring.added = { value: '1' };
  request.cookies.session = { value: 'rewritten' };
  return request;
}`,
      );
      const arn = (await publish("echo-or-forward")).FunctionSummary?.FunctionMetadata?.FunctionARN;
      const created = await cloudfront.send(
        new CreateDistributionCommand({
          DistributionConfig: {
            CallerReference: "event-shape",
            Comment: "event shape",
            Enabled: true,
            Aliases: { Quantity: 2, Items: ["*.event.example.test", "www.example.test"] },
            Origins: { Quantity: 1, Items: [httpOrigin("api", origin.port)] },
            DefaultCacheBehavior: {
              TargetOriginId: "api",
              ViewerProtocolPolicy: "allow-all",
              CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
              FunctionAssociations: {
                Quantity: 1,
                Items: [{ FunctionARN: arn, EventType: "viewer-request" }],
              },
            },
          },
        }),
      );
      const domain = created.Distribution?.DomainName ?? "";

      const echo = await fetch(`http://${domain}/echo?a=1&b=2&b=3`, {
        headers: { cookie: "c1=v1; c2=v2", "x-custom": "hello" },
      });
      expect(echo.headers.get("x-cache")).toBe("FunctionGeneratedResponse from cloudfront");
      expect(echo.headers.get("set-cookie")).toBe("seen=yes; Path=/");
      const event = (await echo.json()) as { request: { headers: Record<string, unknown> } };
      expect(event).toMatchObject({
        version: "1.0",
        context: {
          distributionDomainName: domain,
          distributionId: created.Distribution?.Id,
          eventType: "viewer-request",
          requestId: echo.headers.get("x-amz-cf-id"),
        },
        viewer: { ip: "127.0.0.1" },
        request: {
          method: "GET",
          uri: "/echo",
          querystring: {
            a: { value: "1" },
            b: { value: "2", multiValue: [{ value: "2" }, { value: "3" }] },
          },
          headers: { "x-custom": { value: "hello" } },
          cookies: { c1: { value: "v1" }, c2: { value: "v2" } },
        },
      });
      expect(event.request.headers.cookie).toBeUndefined();
      expect(seen).toHaveLength(0);

      const redirect = await fetch(`http://${domain}/old`, { redirect: "manual" });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get("location")).toBe("/new");

      const forwarded = await fetch(`http://${domain}/page?q=x`, {
        headers: { "x-drop-me": "1", cookie: "session=original" },
      });
      expect(await forwarded.text()).toBe("from origin");
      expect(seen).toHaveLength(1);
      expect(seen[0]?.url).toBe("/v2/page?q=x&added=1");
      expect(seen[0]?.headers).toMatchObject({
        "x-from-function": "set",
        cookie: "session=rewritten",
      });
      expect(seen[0]?.headers["x-drop-me"]).toBeUndefined();

      // A viewer at an alias: the function sees that Host among the headers, and the
      // distribution's own domain name in the context (as on CloudFront, not the viewer's Host).
      const port = domain.split(":")[1];
      const atAlias = await getWithHost(domain, "/echo", `pr-3.event.example.test:${port}`);
      expect(atAlias.status).toBe(200);
      expect(JSON.parse(atAlias.body)).toMatchObject({
        context: { distributionDomainName: domain },
        request: { headers: { host: { value: `pr-3.event.example.test:${port}` } } },
      });
      expect((await getWithHost(domain, "/echo", "WWW.example.test")).status).toBe(200);
      // Any other name is not this distribution's: a wildcard covers one label, not the apex
      // and not two labels.
      for (const host of ["other.example.test", "event.example.test", "a.b.event.example.test"]) {
        const refused = await getWithHost(domain, "/echo", host);
        expect(refused.status, host).toBe(403);
      }

      const tested = await testFunction("echo-or-forward", viewerRequestEvent("/old"));
      expect(JSON.parse(tested?.FunctionOutput ?? "{}")).toEqual({
        response: {
          statusCode: 302,
          statusDescription: "Found",
          headers: { location: { value: "/new" } },
        },
      });
    } finally {
      await origin.close();
    }
  });
});

/** A GET naming its own Host (fetch does not let a caller set one). */
const getWithHost = (domain: string, path: string, host: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const [hostname, port] = domain.split(":");
    const req = request({ hostname, port: Number(port), path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", reject);
    req.end();
  });

const distributionId = async (): Promise<string> => {
  const { ListDistributionsCommand } = await import("@aws-sdk/client-cloudfront");
  const list = await cloudfront.send(new ListDistributionsCommand({}));
  return list.DistributionList?.Items?.find((d) => d.DomainName === distributionDomain)?.Id ?? "";
};
