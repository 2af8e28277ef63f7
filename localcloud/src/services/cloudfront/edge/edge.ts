import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { FaultInjector } from "../../../server/faults";
import type { RequestLog } from "../../../server/request-log";
import {
  type CacheBehavior,
  type EdgeConfig,
  hostNamesDistribution,
  standsForHttps,
} from "../distribution-config";
import { newCfId } from "../ids";
import { canonicalInvalidationPath } from "../invalidation-rules";
import { type CachedResponse, type EdgeCache, isFresh } from "./cache";
import { cloudFrontError, EDGE_VIA, type EdgeResponse, edgeHeaders } from "./edge-response";
import { fetchFromHttp, OriginUnreachableError } from "./http-origin";
import type { OriginRequest, OriginResponse } from "./origin-response";
import { fetchFromS3, type S3ObjectReader } from "./s3-origin";
import { cacheTtlSeconds } from "./ttl";
import {
  applyResponseDecision,
  type EventContext,
  functionRequest,
  functionResponse,
  type RunViewerFunction,
  requestDecision,
  viewerEvent,
} from "./viewer-functions";

export interface EdgeDependencies {
  /** The distribution's current settings; undefined once it is deleted. */
  config(): EdgeConfig | undefined;
  /** Applies invalidations that are due, so a completed one has purged before we look. */
  settle(): void;
  cache: EdgeCache;
  s3(): S3ObjectReader;
  /** The distribution's ARN: what a bucket policy names as `aws:SourceArn`. */
  distributionArn: string;
  requestLog: RequestLog;
  /** Rules for service "edge" (operation "Request"): latency, 5xx pages, dropped connections. */
  faults: FaultInjector;
  /** ErrorCachingMinTTL for error codes without a CustomErrorResponse (CloudFront: 10 s). */
  defaultErrorCachingMinTtl(): number;
  distributionId: string;
  /** The distribution's DomainName (`127.0.0.1:<port>` here; d111111abcdef8.cloudfront.net on AWS). */
  domainName(): string;
  /** Runs an associated CloudFront Function (its LIVE stage). */
  runFunction: RunViewerFunction;
}

/** Status codes CloudFront caches as successful responses. */
const CACHEABLE_STATUSES = new Set([200, 203, 300, 301, 410]);
/** Error codes CloudFront caches for ErrorCachingMinTTL. */
const CACHEABLE_ERRORS = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);

interface ViewerRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Decoded path: what behaviours and invalidations match. */
  path: string;
  /** The viewer's headers, as a viewer-request function may have rewritten them: what origins get. */
  headers: IncomingHttpHeaders;
  incoming: IncomingMessage;
  cfId: string;
}

/**
 * One distribution's edge: picks the cache behaviour by path pattern, serves from the cache while
 * fresh, revalidates stale copies, fetches from the origin otherwise, and applies custom error
 * responses. Every answer is logged as service "edge" with the X-Cache outcome as operation.
 */
export class Edge {
  constructor(private readonly deps: EdgeDependencies) {}

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const viewer: ViewerRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      rawPath,
      rawQuery: queryAt < 0 ? "" : url.slice(queryAt),
      path: safeDecode(rawPath),
      headers: req.headers,
      incoming: req,
      cfId: newCfId(),
    };
    let response: EdgeResponse | undefined;
    let injected: string | undefined;
    for (const fault of this.deps.faults.decide("edge", "Request")) {
      if (fault.kind === "latency") await sleep(fault.latencyMs);
      if (fault.kind === "reset") {
        req.socket.destroy();
        this.log(viewer, "Error", 0, started, 0, "reset");
        return;
      }
      if (fault.kind === "error" || fault.kind === "throttle") {
        injected = fault.kind;
        response = cloudFrontError(
          fault.kind === "throttle" ? 503 : fault.status,
          "Injected fault.",
        );
      }
    }
    try {
      this.deps.settle();
      response ??= await this.serve(viewer);
    } catch (error) {
      response =
        error instanceof OriginUnreachableError && error.timedOut
          ? cloudFrontError(
              504,
              "CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection.",
            )
          : cloudFrontError(502, "CloudFront wasn't able to connect to the origin.");
    }
    const bytesOut = await this.send(viewer, response, res);
    this.log(viewer, response.outcome, response.status, started, bytesOut, injected);
  };

  private log(
    viewer: ViewerRequest,
    outcome: EdgeResponse["outcome"],
    status: number,
    started: number,
    bytesOut: number,
    fault?: string,
  ): void {
    this.deps.requestLog.record({
      service: "edge",
      operation: outcome,
      method: viewer.method,
      path: viewer.rawPath,
      status,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      bytesIn: Number(viewer.incoming.headers["content-length"] ?? 0),
      bytesOut,
      ...(fault ? { fault } : {}),
    });
  }

  private async serve(viewer: ViewerRequest): Promise<EdgeResponse> {
    const config = this.deps.config();
    if (!config)
      return cloudFrontError(
        403,
        "Bad request. We can't connect to the server for this app or website at this time.",
      );
    if (!config.enabled) return cloudFrontError(403, "The distribution is disabled.");
    // CloudFront picks the distribution by the Host: a name that is not one of its aliases is
    // not this distribution's request.
    if (
      !hostNamesDistribution(viewer.incoming.headers.host, config.aliases, this.deps.domainName())
    ) {
      return cloudFrontError(403, "Bad request.");
    }
    const behavior = behaviorFor(config, viewer.path);
    if (!behavior.allowedMethods.includes(viewer.method)) {
      return cloudFrontError(
        403,
        "This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.",
      );
    }
    const context: EventContext = {
      // The distribution's own domain name, whatever Host the viewer asked for (that one is in
      // the request's headers).
      distributionDomainName: this.deps.domainName(),
      distributionId: this.deps.distributionId,
      requestId: viewer.cfId,
      viewerIp: viewer.incoming.socket.remoteAddress ?? "127.0.0.1",
    };
    const eventRequest = functionRequest(
      viewer.method,
      viewer.rawPath,
      viewer.rawQuery,
      viewer.headers,
    );
    const requestFunction = behavior.functions["viewer-request"];
    let current = viewer;
    if (requestFunction) {
      const decision = requestDecision(
        this.deps.runFunction(
          requestFunction,
          viewerEvent("viewer-request", context, eventRequest),
        ),
      );
      // A response the function generated is answered as is: no origin, no cache, no viewer-response function.
      if (decision.kind === "response") return decision.response;
      // The rewritten URI is what the cache key and the origin path are made of from here on.
      current = {
        ...viewer,
        rawPath: decision.rawPath,
        rawQuery: decision.rawQuery,
        path: safeDecode(decision.rawPath),
        headers: decision.headers,
      };
    }
    const response = await this.serveBehavior(current, config, behavior);
    const responseFunction = behavior.functions["viewer-response"];
    // As for every edge function, origin errors (400 and up) do not trigger viewer-response.
    if (!responseFunction || response.status >= 400) return response;
    return applyResponseDecision(
      this.deps.runFunction(
        responseFunction,
        viewerEvent("viewer-response", context, eventRequest, functionResponse(response)),
      ),
      response,
    );
  }

  private async serveBehavior(
    viewer: ViewerRequest,
    config: EdgeConfig,
    behavior: CacheBehavior,
  ): Promise<EdgeResponse> {
    const originPath =
      viewer.path === "/" && config.defaultRootObject
        ? `/${encodeURI(config.defaultRootObject)}`
        : viewer.rawPath;
    const cacheable =
      (viewer.method === "GET" || viewer.method === "HEAD") && behavior.cachePolicy.maxTtl > 0;
    if (!cacheable) return this.passThrough(viewer, config, behavior, originPath);

    const queryInKey = behavior.cachePolicy.queryStringInKey;
    const key = viewer.path + (queryInKey ? viewer.rawQuery : "");
    // Invalidations name a path, plus the query string when it is part of the cache key.
    const invalidationTarget = canonicalInvalidationPath(
      viewer.rawPath + (queryInKey ? viewer.rawQuery : ""),
    );
    const now = Date.now();
    const cached = this.deps.cache.get(key);
    if (cached && isFresh(cached, now))
      return fromCache(cached, cached.error ? "Error" : "Hit", now);

    const request = this.originRequest(viewer, originPath, "GET");
    const revalidating = cached && !cached.error && (cached.etag || cached.lastModified);
    if (revalidating) {
      if (cached.etag) request.ifNoneMatch = cached.etag;
      if (cached.lastModified) request.ifModifiedSince = cached.lastModified;
    }
    const origin = await this.fetch(behavior, request);
    if (revalidating && origin.status === 304) {
      await drain(origin.body);
      const cacheControl =
        header(origin.headers, "cache-control") ?? header(cached.headers, "cache-control");
      cached.storedAt = now;
      cached.ttlSeconds =
        cacheTtlSeconds(
          behavior.cachePolicy,
          cacheControl,
          header(origin.headers, "expires"),
          now,
        ) ?? 0;
      return fromCache(cached, "RefreshHit", now);
    }
    const body = await toBuffer(origin.body);
    if (origin.status >= 400) {
      return this.errorResponse(viewer, config, { ...origin, body }, (response, ttl) => {
        if (ttl > 0 && CACHEABLE_ERRORS.has(origin.status)) {
          this.deps.cache.set(key, entry(invalidationTarget, response, body, ttl, true, now));
        }
      });
    }
    const ttl = cacheTtlSeconds(
      behavior.cachePolicy,
      header(origin.headers, "cache-control"),
      header(origin.headers, "expires"),
      now,
    );
    if (ttl !== undefined && CACHEABLE_STATUSES.has(origin.status)) {
      this.deps.cache.set(key, entry(invalidationTarget, origin, body, ttl, false, now));
    } else {
      this.deps.cache.delete(key);
    }
    return { outcome: "Miss", status: origin.status, headers: origin.headers, body };
  }

  /** Uncached behaviours (CachingDisabled, or methods that change things): proxied as they come. */
  private async passThrough(
    viewer: ViewerRequest,
    config: EdgeConfig,
    behavior: CacheBehavior,
    originPath: string,
  ): Promise<EdgeResponse> {
    const request = this.originRequest(viewer, originPath, viewer.method);
    if (viewer.method !== "GET" && viewer.method !== "HEAD") request.body = viewer.incoming;
    const origin = await this.fetch(behavior, request);
    if (origin.status >= 400 && customErrorFor(config, origin.status)) {
      await drain(origin.body);
      return this.errorResponse(viewer, config, { ...origin, body: Buffer.alloc(0) }, () => {});
    }
    return {
      outcome: origin.status >= 400 ? "Error" : "Miss",
      status: origin.status,
      headers: origin.headers,
      body: origin.body,
    };
  }

  /**
   * An origin error: replaced by the CustomErrorResponse's page and code when one is configured
   * (the SPA fallback: 403/404 → /index.html 200), and kept for its ErrorCachingMinTTL.
   */
  private async errorResponse(
    viewer: ViewerRequest,
    config: EdgeConfig,
    origin: OriginResponse & { body: Buffer },
    store: (response: OriginResponse, ttlSeconds: number) => void,
  ): Promise<EdgeResponse> {
    const custom = customErrorFor(config, origin.status);
    const ttl = custom?.errorCachingMinTtl ?? this.deps.defaultErrorCachingMinTtl();
    let response: OriginResponse & { body: Buffer } = origin;
    if (custom?.responsePagePath) {
      const pageBehavior = behaviorFor(config, custom.responsePagePath);
      const page = await this.fetch(
        pageBehavior,
        this.originRequest(viewer, encodeURI(custom.responsePagePath), "GET", ""),
      );
      const pageBody = await toBuffer(page.body);
      if (page.status < 400) {
        response = {
          status: custom.responseCode ?? origin.status,
          headers: page.headers,
          body: pageBody,
        };
      }
    }
    store(response, ttl);
    return { outcome: "Error", ...response };
  }

  private originRequest(
    viewer: ViewerRequest,
    rawPath: string,
    method: string,
    rawQuery = viewer.rawQuery,
  ): OriginRequest {
    const incoming = viewer.incoming;
    const headers = { ...viewer.headers };
    // Validators of the viewer's own copy are answered by the edge, not forwarded.
    delete headers["if-none-match"];
    delete headers["if-modified-since"];
    const forwardedFor = incoming.headers["x-forwarded-for"];
    const client = incoming.socket.remoteAddress ?? "127.0.0.1";
    headers["x-forwarded-for"] = forwardedFor ? `${forwardedFor}, ${client}` : client;
    headers.via = incoming.headers.via ? `${incoming.headers.via}, ${EDGE_VIA}` : EDGE_VIA;
    headers["x-amz-cf-id"] = viewer.cfId;
    return { method, rawPath, rawQuery, headers };
  }

  private fetch(behavior: CacheBehavior, request: OriginRequest): Promise<OriginResponse> {
    const origin = behavior.origin;
    return origin.kind === "s3"
      ? fetchFromS3(
          this.deps.s3(),
          origin.bucket,
          origin.originPath,
          request,
          this.deps.distributionArn,
          standsForHttps(behavior),
        )
      : fetchFromHttp(origin, request, behavior.forwardsHost);
  }

  /** Writes the answer (a 304 when the viewer already holds it); returns the body bytes sent. */
  private async send(
    viewer: ViewerRequest,
    response: EdgeResponse,
    res: ServerResponse,
  ): Promise<number> {
    const headers = edgeHeaders(response, viewer.cfId);
    const body = response.body;
    const viewerHasIt =
      response.status === 200 &&
      viewer.incoming.headers["if-none-match"] !== undefined &&
      viewer.incoming.headers["if-none-match"] === header(response.headers, "etag");
    if (Buffer.isBuffer(body)) {
      if (viewerHasIt) {
        res.writeHead(304, headers);
        res.end();
        return 0;
      }
      headers["content-length"] = String(body.length);
      res.writeHead(response.status, headers);
      res.end(viewer.method === "HEAD" ? undefined : body);
      return viewer.method === "HEAD" ? 0 : body.length;
    }
    const length = header(response.headers, "content-length");
    if (length !== undefined) headers["content-length"] = length;
    res.writeHead(response.status, headers);
    if (viewer.method === "HEAD") {
      body.resume();
      res.end();
      return 0;
    }
    let bytes = 0;
    body.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    // pipeline tears both sides down when either fails or the viewer goes away mid-stream.
    await pipeline(body, res).catch(() => {});
    return bytes;
  }
}

/** First matching path pattern in order; the default behaviour (`*`, last) matches everything. */
const behaviorFor = (config: EdgeConfig, path: string): CacheBehavior =>
  config.behaviors.find((behavior) => behavior.matches(path)) ??
  (config.behaviors[config.behaviors.length - 1] as CacheBehavior);

const customErrorFor = (config: EdgeConfig, status: number) =>
  config.customErrorResponses.find((custom) => custom.errorCode === status);

const fromCache = (
  cached: CachedResponse,
  outcome: EdgeResponse["outcome"],
  now: number,
): EdgeResponse => ({
  outcome,
  status: cached.status,
  headers: cached.headers,
  body: cached.body,
  ageSeconds: Math.floor((now - cached.storedAt) / 1000),
});

const entry = (
  path: string,
  response: OriginResponse,
  body: Buffer,
  ttlSeconds: number,
  error: boolean,
  now: number,
): CachedResponse => {
  const etag = header(response.headers, "etag");
  const lastModified = header(response.headers, "last-modified");
  return {
    status: response.status,
    headers: response.headers,
    body,
    path,
    storedAt: now,
    ttlSeconds,
    error,
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
  };
};

const header = (headers: Record<string, string | string[]>, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const toBuffer = async (body: Buffer | Readable): Promise<Buffer> => {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
};

const drain = async (body: Buffer | Readable): Promise<void> => {
  if (body instanceof Readable) await toBuffer(body);
};

const safeDecode = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};
