import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CacheBehavior, DistributionConfig, Origin } from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { CloudFrontOptions } from "../../src/services/cloudfront";
import { cloudFrontServiceWith } from "../../src/services/cloudfront";
import { cloudFrontKeyValueStoreService } from "../../src/services/cloudfront-keyvaluestore";
import { s3Service } from "../../src/services/s3";
import { stsService } from "../../src/services/sts";
import { clientConfig, startTestCloud } from "../helpers/cloud";

export const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/** A cloud with only what the edge needs: STS, S3, CloudFront with test timings, and its key value stores. */
export const startEdgeCloud = (timings: Partial<CloudFrontOptions> = {}, stateDir?: string) =>
  startTestCloud({
    ...(stateDir ? { stateDir } : {}),
    // The tests' timings are their own: a LOCALCLOUD_TIME_SCALE in the environment must not scale them.
    timeScale: 1,
    services: [
      stsService,
      s3Service,
      cloudFrontServiceWith({
        invalidationDelayMs: 200,
        deployDelayMs: 100,
        defaultErrorCachingMinTtl: 0,
        ...timings,
      }),
      cloudFrontKeyValueStoreService,
    ],
  });

export type EdgeCloud = Awaited<ReturnType<typeof startEdgeCloud>>;

export const s3Origin = (id: string, bucket: string, originPath = ""): Origin => ({
  Id: id,
  DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
  OriginPath: originPath,
  S3OriginConfig: { OriginAccessIdentity: "" },
  OriginAccessControlId: "E2OACLOCAL00001",
});

export const httpOrigin = (id: string, port: number): Origin => ({
  Id: id,
  DomainName: "127.0.0.1",
  CustomOriginConfig: {
    HTTPPort: port,
    HTTPSPort: 443,
    OriginProtocolPolicy: "http-only",
  },
});

/** The SPA layout shipline deploys: S3 for everything, `/api/*` to an HTTP origin uncached. */
export const spaConfig = (
  callerReference: string,
  bucket: string,
  apiPort?: number,
  overrides: Partial<DistributionConfig> = {},
): DistributionConfig => {
  const behaviors: CacheBehavior[] =
    apiPort === undefined
      ? []
      : [
          {
            PathPattern: "/api/*",
            TargetOriginId: "api",
            ViewerProtocolPolicy: "redirect-to-https",
            CachePolicyId: CACHING_DISABLED,
            AllowedMethods: {
              Quantity: 7,
              Items: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
              CachedMethods: { Quantity: 2, Items: ["GET", "HEAD"] },
            },
          },
        ];
  const origins = [
    s3Origin("web", bucket),
    ...(apiPort === undefined ? [] : [httpOrigin("api", apiPort)]),
  ];
  return {
    CallerReference: callerReference,
    Comment: "shipline test",
    Enabled: true,
    DefaultRootObject: "index.html",
    Origins: { Quantity: origins.length, Items: origins },
    DefaultCacheBehavior: {
      TargetOriginId: "web",
      ViewerProtocolPolicy: "redirect-to-https",
      CachePolicyId: CACHING_OPTIMIZED,
    },
    CacheBehaviors: { Quantity: behaviors.length, Items: behaviors },
    CustomErrorResponses: {
      Quantity: 2,
      Items: [403, 404].map((code) => ({
        ErrorCode: code,
        ResponsePagePath: "/index.html",
        ResponseCode: "200",
        ErrorCachingMinTTL: 0,
      })),
    },
    ...overrides,
  };
};

/** Puts objects through the S3 API, as a publisher would. */
export const s3Writer = (cloud: EdgeCloud, bucket: string) => {
  const s3 = new S3Client({ ...clientConfig(cloud), forcePathStyle: true });
  return {
    createBucket: () => s3.send(new CreateBucketCommand({ Bucket: bucket })),
    put: (key: string, body: string, cacheControl?: string, contentType = "text/html") =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(cacheControl ? { CacheControl: cacheControl } : {}),
        }),
      ),
  };
};

/** Polls `check` until it returns true (bounded). */
export const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
};

/** A small HTTP server standing in for the load balancer behind `/api/*`. */
export const startApiOrigin = async (
  handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<{ port: number; close(): Promise<void>; server: Server }> => {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    handler(req, Buffer.concat(chunks), res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
