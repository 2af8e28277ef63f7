import { request as httpRequest } from "node:http";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  type DistributionConfig,
  GetInvalidationCommand,
} from "@aws-sdk/client-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudFrontService } from "../../src/services/cloudfront";
import { clientConfig } from "../helpers/cloud";
import {
  type EdgeCloud,
  eventually,
  httpOrigin,
  s3Origin,
  s3Writer,
  spaConfig,
  startApiOrigin,
  startEdgeCloud,
} from "./support";

let cloud: EdgeCloud;
let cloudfront: CloudFrontClient;
let service: CloudFrontService;
const site = () => s3Writer(cloud, "edge-site");
let api: Awaited<ReturnType<typeof startApiOrigin>>;
const apiCalls: Array<{
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
}> = [];
let releaseStream: () => void = () => {};
let feedVersion = 1;

beforeAll(async () => {
  cloud = await startEdgeCloud();
  cloudfront = new CloudFrontClient(clientConfig(cloud));
  service = cloud.service<CloudFrontService>("cloudfront");
  await site().createBucket();
  api = await startApiOrigin((req, body, res) => {
    apiCalls.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: body.toString(),
    });
    if (req.url === "/api/stream") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first;");
      releaseStream = () => res.end("last");
      return;
    }
    if (req.url?.startsWith("/feed/")) {
      const etag = `"feed-${feedVersion}"`;
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, { etag, "cache-control": "no-cache" });
        res.end();
        return;
      }
      res.writeHead(200, { etag, "cache-control": "no-cache", "content-type": "text/plain" });
      res.end(`feed ${feedVersion} ${req.url}`);
      return;
    }
    if (req.url?.startsWith("/api/missing")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=600" });
    res.end(JSON.stringify({ call: apiCalls.length }));
  });
});
afterAll(async () => {
  releaseStream();
  await api?.close();
  await cloud?.dispose();
});

const createEdge = async (callerReference: string, overrides: Partial<DistributionConfig> = {}) => {
  const created = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: spaConfig(callerReference, "edge-site", api.port, overrides),
    }),
  );
  const id = created.Distribution?.Id ?? "";
  return { id, url: `http://${created.Distribution?.DomainName}` };
};

const get = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init);
  return {
    status: response.status,
    body: await response.text(),
    xCache: response.headers.get("x-cache"),
    age: response.headers.get("age"),
    headers: response.headers,
  };
};

const invalidate = async (id: string, reference: string, paths: string[]) => {
  const created = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: id,
      InvalidationBatch: {
        CallerReference: reference,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
  return created.Invalidation?.Id ?? "";
};

const completed = async (id: string, invalidationId: string) => {
  const got = await cloudfront.send(
    new GetInvalidationCommand({ DistributionId: id, Id: invalidationId }),
  );
  return got.Invalidation?.Status === "Completed";
};

describe("the edge cache", () => {
  it("serves a cached object until an invalidation covering it completes, then fetches it fresh", async () => {
    const { id, url } = await createEdge("cache-1");
    const immutable = "public, max-age=31536000, immutable";
    await site().put("assets/app.js", "v1", immutable, "text/javascript");
    await site().put("assets/other.js", "other-1", immutable, "text/javascript");

    const miss = await get(`${url}/assets/app.js`);
    expect(miss).toMatchObject({ status: 200, body: "v1", xCache: "Miss from cloudfront" });
    expect(miss.headers.get("via")).toMatch(/CloudFront/);
    expect(miss.headers.get("x-amz-cf-id")).toMatch(/^[\w-]{56}$/);
    expect(miss.headers.get("content-type")).toBe("text/javascript");
    await get(`${url}/assets/other.js`);

    await site().put("assets/app.js", "v2", immutable, "text/javascript");
    await site().put("assets/other.js", "other-2", immutable, "text/javascript");
    const hit = await get(`${url}/assets/app.js`);
    expect(hit).toMatchObject({ body: "v1", xCache: "Hit from cloudfront", age: "0" });
    const notModified = await fetch(`${url}/assets/app.js`, {
      headers: { "if-none-match": miss.headers.get("etag") ?? "" },
    });
    expect(notModified.status).toBe(304);

    service.setInvalidationDelay(400);
    const invalidationId = await invalidate(id, "release-2", ["/assets/app.js"]);
    service.setInvalidationDelay(200);
    expect(await get(`${url}/assets/app.js`)).toMatchObject({
      body: "v1",
      xCache: "Hit from cloudfront",
    });
    await eventually(() => completed(id, invalidationId));

    expect(await get(`${url}/assets/app.js`)).toMatchObject({
      body: "v2",
      xCache: "Miss from cloudfront",
    });
    expect(await get(`${url}/assets/app.js`)).toMatchObject({
      body: "v2",
      xCache: "Hit from cloudfront",
    });
    // A path the invalidation did not name stays cached; a wildcard then purges it.
    expect(await get(`${url}/assets/other.js`)).toMatchObject({
      body: "other-1",
      xCache: "Hit from cloudfront",
    });
    const wildcard = await invalidate(id, "release-3", ["/assets/*"]);
    await eventually(() => completed(id, wildcard));
    expect(await get(`${url}/assets/other.js`)).toMatchObject({
      body: "other-2",
      xCache: "Miss from cloudfront",
    });

    const outcomes = cloud.requestLog.list({ service: "edge" }).map((e) => e.operation);
    expect(outcomes).toEqual(expect.arrayContaining(["Hit", "Miss"]));
  });

  it("revalidates no-cache objects: RefreshHit while unchanged, the new body once changed", async () => {
    const { url } = await createEdge("no-cache-1", {
      DefaultCacheBehavior: {
        TargetOriginId: "web",
        ViewerProtocolPolicy: "allow-all",
        ForwardedValues: { QueryString: false, Cookies: { Forward: "none" } },
        MinTTL: 0,
        DefaultTTL: 86400,
        MaxTTL: 31536000,
      },
    });
    await site().put("page.html", "<p>one</p>", "no-cache");
    expect(await get(`${url}/page.html`)).toMatchObject({
      body: "<p>one</p>",
      xCache: "Miss from cloudfront",
    });
    const since = cloud.requestLog.lastSeq;
    expect(await get(`${url}/page.html`)).toMatchObject({
      body: "<p>one</p>",
      xCache: "RefreshHit from cloudfront",
    });
    expect(cloud.requestLog.list({ sinceSeq: since, service: "edge" })[0]?.operation).toBe(
      "RefreshHit",
    );
    await site().put("page.html", "<p>two</p>", "no-cache");
    expect(await get(`${url}/page.html`)).toMatchObject({
      body: "<p>two</p>",
      xCache: "Miss from cloudfront",
    });
    expect(await get(`${url}/page.html`)).toMatchObject({
      body: "<p>two</p>",
      xCache: "RefreshHit from cloudfront",
    });
  });

  it("keeps no-cache objects for the cache policy's MinTTL (CachingOptimized: 1 s), then revalidates", async () => {
    const { url } = await createEdge("no-cache-2");
    await site().put("entry.html", "<p>entry</p>", "no-cache");
    expect((await get(`${url}/entry.html`)).xCache).toBe("Miss from cloudfront");
    expect((await get(`${url}/entry.html`)).xCache).toBe("Hit from cloudfront");
    await eventually(
      async () => (await get(`${url}/entry.html`)).xCache !== "Hit from cloudfront",
      3000,
    );
    expect((await get(`${url}/entry.html`)).xCache).toBe("Hit from cloudfront");
  });

  it("does not keep no-store responses", async () => {
    const { url } = await createEdge("no-store-1", {
      DefaultCacheBehavior: {
        TargetOriginId: "web",
        ViewerProtocolPolicy: "allow-all",
        ForwardedValues: { QueryString: false, Cookies: { Forward: "none" } },
        MinTTL: 0,
      },
    });
    await site().put("private.json", "{}", "no-store", "application/json");
    expect((await get(`${url}/private.json`)).xCache).toBe("Miss from cloudfront");
    expect((await get(`${url}/private.json`)).xCache).toBe("Miss from cloudfront");
  });

  it("keeps error responses for ErrorCachingMinTTL, until an invalidation purges them", async () => {
    const { id, url } = await createEdge("errors-1", {
      CustomErrorResponses: { Quantity: 0 },
    });
    service.setDefaultErrorCachingMinTtl(60);
    try {
      const denied = await get(`${url}/late.html`);
      expect(denied).toMatchObject({ status: 403, xCache: "Error from cloudfront" });
      expect(denied.body).toContain("<Code>AccessDenied</Code>");
      await site().put("late.html", "arrived");
      expect(await get(`${url}/late.html`)).toMatchObject({
        status: 403,
        xCache: "Error from cloudfront",
      });
      const purge = await invalidate(id, "late", ["/late.html"]);
      await eventually(() => completed(id, purge));
      expect(await get(`${url}/late.html`)).toMatchObject({ status: 200, body: "arrived" });
    } finally {
      service.setDefaultErrorCachingMinTtl(0);
    }
  });
});

describe("routing and origins", () => {
  it("serves the default root object at / and the SPA entry point for unknown routes", async () => {
    const { url } = await createEdge("spa-1");
    await site().put("index.html", "<html>spa</html>", "no-cache");
    expect(await get(`${url}/`)).toMatchObject({ status: 200, body: "<html>spa</html>" });
    const deepLink = await get(`${url}/tasks/42`);
    expect(deepLink).toMatchObject({
      status: 200,
      body: "<html>spa</html>",
      xCache: "Error from cloudfront",
    });
    expect(deepLink.headers.get("content-type")).toBe("text/html");
    const head = await fetch(`${url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("proxies /api/* to the HTTP origin uncached: methods, headers, bodies and query strings", async () => {
    const { url } = await createEdge("api-1");
    const before = apiCalls.length;
    const first = await get(`${url}/api/tasks?done=true`);
    const second = await get(`${url}/api/tasks?done=true`);
    expect(first).toMatchObject({ status: 200, xCache: "Miss from cloudfront" });
    expect(second.xCache).toBe("Miss from cloudfront");
    expect(JSON.parse(second.body).call).toBe(JSON.parse(first.body).call + 1);
    expect(apiCalls.length).toBe(before + 2);

    const posted = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "session=abc" },
      body: JSON.stringify({ title: "write tests" }),
    });
    expect(posted.status).toBe(200);
    const call = apiCalls[apiCalls.length - 1];
    expect(call).toMatchObject({
      method: "POST",
      url: "/api/tasks",
      body: '{"title":"write tests"}',
    });
    expect(call?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(call?.headers.cookie).toBe("session=abc");
    expect(call?.headers.via).toMatch(/CloudFront/);
    expect(call?.headers.host).toBe(`127.0.0.1:${api.port}`);
    expect(apiCalls[before]?.url).toBe("/api/tasks?done=true");
  });

  it("sends the viewer's Host to the origin only when the behaviour's origin request policy includes it", async () => {
    const base = spaConfig("api-host-base", "edge-site", api.port);
    // The viewer's host is one the distribution answers for (its alternate domain names): each
    // distribution its own, as CloudFront refuses a name another distribution holds.
    const aliases = (zone: string) => ({ Quantity: 1, Items: [`*.${zone}.preview.test`] });
    const withPolicy = (id: string, zone: string, policy: Record<string, unknown>) =>
      createEdge(id, {
        Aliases: aliases(zone),
        CacheBehaviors: {
          Quantity: 1,
          Items: (base.CacheBehaviors?.Items ?? []).map((behavior) => ({ ...behavior, ...policy })),
        },
      });
    const hostSeen = async (url: string, host: string) => {
      const { hostname, port } = new URL(url);
      await new Promise<void>((resolve, reject) => {
        const outgoing = httpRequest(
          { host: hostname, port, path: "/api/host", headers: { host } },
          (response) => response.resume().once("end", resolve),
        );
        outgoing.once("error", reject).end();
      });
      return apiCalls[apiCalls.length - 1]?.headers.host;
    };
    // Managed-AllViewer: every viewer header, Host included.
    const allViewer = await withPolicy("api-host-1", "one", {
      OriginRequestPolicyId: "216adef6-5c7f-47e4-b989-5492eafa07d3",
    });
    expect(await hostSeen(allViewer.url, "pr-7.one.preview.test")).toBe("pr-7.one.preview.test");
    const legacy = await createEdge("api-host-2", {
      Aliases: aliases("two"),
      CacheBehaviors: {
        Quantity: 1,
        Items: (base.CacheBehaviors?.Items ?? []).map(({ CachePolicyId: _, ...behavior }) => ({
          ...behavior,
          MinTTL: 0,
          DefaultTTL: 0,
          MaxTTL: 0,
          ForwardedValues: {
            QueryString: true,
            Cookies: { Forward: "all" },
            Headers: { Quantity: 1, Items: ["Host"] },
          },
        })),
      },
    });
    expect(await hostSeen(legacy.url, "pr-7.two.preview.test")).toBe("pr-7.two.preview.test");
    // No policy: the origin's own domain name, as CloudFront sends it.
    const { url: plain } = await createEdge("api-host-3", { Aliases: aliases("three") });
    expect(await hostSeen(plain, "pr-7.three.preview.test")).toBe(`127.0.0.1:${api.port}`);
  });

  it("streams HTTP origin responses instead of buffering them", async () => {
    const { url } = await createEdge("api-2");
    const response = await fetch(`${url}/api/stream`);
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(Buffer.from(first?.value ?? []).toString()).toBe("first;");
    releaseStream();
    let rest = "";
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
      rest += Buffer.from(chunk.value).toString();
    }
    expect(rest).toBe("last");
  });

  it("applies custom error responses to API errors too, as CloudFront does", async () => {
    const { url } = await createEdge("api-3");
    await site().put("index.html", "<html>spa</html>", "no-cache");
    expect(await get(`${url}/api/missing`)).toMatchObject({
      status: 200,
      body: "<html>spa</html>",
    });
    const { url: plain } = await createEdge("api-4", { CustomErrorResponses: { Quantity: 0 } });
    expect(await get(`${plain}/api/missing`)).toMatchObject({
      status: 404,
      body: '{"error":"not found"}',
      xCache: "Error from cloudfront",
    });
  });

  it("refuses methods the behaviour does not allow, and answers 502 when the origin is down", async () => {
    const { url } = await createEdge("methods-1");
    expect((await fetch(`${url}/index.html`, { method: "POST", body: "x" })).status).toBe(403);
    const { url: broken } = await createEdge("down-1", {
      Origins: {
        Quantity: 2,
        Items: [
          s3Origin("web", "edge-site"),
          // Port 1 on loopback: nothing listens there, so the connection is refused.
          httpOrigin("api", 1),
        ],
      },
    });
    expect(await get(`${broken}/api/tasks`)).toMatchObject({
      status: 502,
      xCache: "Error from cloudfront",
    });
  });
});

describe("HTTP origins behind a caching behaviour", () => {
  it("revalidates with the origin's ETag and keys the cache by query string when told to", async () => {
    const config = spaConfig("feed-1", "edge-site", api.port);
    const { id, url } = await createEdge("feed-1", {
      CacheBehaviors: {
        Quantity: 2,
        Items: [
          {
            PathPattern: "/feed/*",
            TargetOriginId: "api",
            ViewerProtocolPolicy: "allow-all",
            ForwardedValues: { QueryString: true, Cookies: { Forward: "none" } },
            MinTTL: 0,
            DefaultTTL: 60,
            MaxTTL: 600,
          },
          ...(config.CacheBehaviors?.Items ?? []),
        ],
      },
    });
    feedVersion = 1;
    expect(await get(`${url}/feed/news?page=1`)).toMatchObject({
      body: "feed 1 /feed/news?page=1",
      xCache: "Miss from cloudfront",
    });
    const before = apiCalls.length;
    expect(await get(`${url}/feed/news?page=1`)).toMatchObject({
      body: "feed 1 /feed/news?page=1",
      xCache: "RefreshHit from cloudfront",
    });
    expect(apiCalls[before]?.headers["if-none-match"]).toBe('"feed-1"');
    expect((await get(`${url}/feed/news?page=2`)).xCache).toBe("Miss from cloudfront");
    // With query strings in the cache key, an invalidation names one variant (or a wildcard).
    const purge = await invalidate(id, "feed-page-1", ["/feed/news?page=1"]);
    await eventually(() => completed(id, purge));
    expect((await get(`${url}/feed/news?page=1`)).xCache).toBe("Miss from cloudfront");
    expect((await get(`${url}/feed/news?page=2`)).xCache).toBe("RefreshHit from cloudfront");
    feedVersion = 2;
    expect(await get(`${url}/feed/news?page=1`)).toMatchObject({
      body: "feed 2 /feed/news?page=1",
      xCache: "Miss from cloudfront",
    });
  });
});

describe("faults at the edge", () => {
  it("answers injected 5xx with CloudFront's error page and drops connections on reset", async () => {
    const { url } = await createEdge("faults-1");
    await site().put("index.html", "<html>spa</html>", "no-cache");
    cloud.faults.add({ service: "edge", kind: "error", status: 503, count: 1 });
    expect(await get(`${url}/index.html`)).toMatchObject({
      status: 503,
      xCache: "Error from cloudfront",
    });
    expect((await get(`${url}/index.html`)).status).toBe(200);
    cloud.faults.add({ service: "edge", kind: "reset", count: 1 });
    await expect(fetch(`${url}/index.html`)).rejects.toThrow();
    const last = cloud.requestLog.list({ service: "edge" }).at(-1);
    expect(last).toMatchObject({ fault: "reset", status: 0 });
  });
});
