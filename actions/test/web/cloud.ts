import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * localcloud (S3 + CloudFront with its edge) for the web tests, loaded by path at run time so the
 * toolkit's type-checked project never depends on localcloud's sources; the shapes used are
 * declared here.
 */
export interface LogEntry {
  seq: number;
  service: string;
  operation: string;
  method: string;
  path: string;
  status: number;
  errorCode?: string;
  bytesIn: number;
  fault?: string;
}

export interface WebCloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requestLog: {
    lastSeq: number;
    list(filter?: { sinceSeq?: number; service?: string; operation?: string }): LogEntry[];
  };
  faults: {
    add(rule: {
      service: string;
      operation?: string;
      kind: "throttle" | "error" | "latency" | "reset" | "deny";
      count?: number;
      fraction?: number;
      latencyMs?: number;
      status?: number;
    }): number;
    clear(): void;
  };
  env(): Record<string, string>;
  service<T>(name: string): T;
  dispose(): Promise<void>;
}

interface CloudFrontControl {
  edgeUrl(id: string): string;
  setInvalidationDelay(ms: number): void;
}

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ join(REPO_ROOT, path))) as T;
}

export async function startWebCloud(
  invalidationDelayMs = 100,
  options: { keyValueStores?: boolean } = {},
): Promise<WebCloud> {
  const helpers = await load<{ startTestCloud(options: unknown): Promise<WebCloud> }>(
    "localcloud/test/helpers/cloud.ts",
  );
  const { stsService } = await load<{ stsService: unknown }>("localcloud/src/services/sts.ts");
  const { s3Service } = await load<{ s3Service: unknown }>("localcloud/src/services/s3/index.ts");
  const { cloudFrontServiceWith } = await load<{
    cloudFrontServiceWith(options: unknown): unknown;
  }>("localcloud/src/services/cloudfront/index.ts");
  // The key value store data plane, for the atomic web mode (its router reads the live release).
  const keyValueStores = options.keyValueStores
    ? [
        (
          await load<{ cloudFrontKeyValueStoreService: unknown }>(
            "localcloud/src/services/cloudfront-keyvaluestore/index.ts",
          )
        ).cloudFrontKeyValueStoreService,
      ]
    : [];
  return helpers.startTestCloud({
    services: [
      stsService,
      s3Service,
      cloudFrontServiceWith({
        invalidationDelayMs,
        deployDelayMs: 50,
        defaultErrorCachingMinTtl: 0,
      }),
      ...keyValueStores,
    ],
  });
}

export function clientConfig(cloud: WebCloud) {
  return { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
}

/** Clients for the cloud; `maxAttempts: 5` is what shipline's own clients retry (lib/aws.ts). */
export function s3Of(cloud: WebCloud, options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({ ...clientConfig(cloud), forcePathStyle: true, ...options });
}

export function cloudFrontOf(
  cloud: WebCloud,
  options: { maxAttempts?: number } = {},
): CloudFrontClient {
  return new CloudFrontClient({ ...clientConfig(cloud), ...options });
}

export function edgeUrl(cloud: WebCloud, distributionId: string): string {
  return cloud.service<CloudFrontControl>("cloudfront").edgeUrl(distributionId);
}

export async function createBucket(cloud: WebCloud, bucket: string): Promise<void> {
  await s3Of(cloud).send(new CreateBucketCommand({ Bucket: bucket }));
}

export const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/** Every request goes to the origin: a viewer sees the bucket exactly as it is at that moment. */
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/** A distribution serving the bucket at "/", with the SPA fallback for 403/404. */
export async function createDistribution(
  cloud: WebCloud,
  bucket: string,
  cachePolicyId = CACHING_OPTIMIZED,
): Promise<string> {
  const created = await cloudFrontOf(cloud).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `test-${bucket}-${Date.now()}`,
        Comment: "shipline web test",
        Enabled: true,
        DefaultRootObject: "index.html",
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: "web",
              DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
              OriginPath: "",
              S3OriginConfig: { OriginAccessIdentity: "" },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: "web",
          ViewerProtocolPolicy: "redirect-to-https",
          CachePolicyId: cachePolicyId,
        },
        CustomErrorResponses: {
          Quantity: 2,
          Items: [403, 404].map((code) => ({
            ErrorCode: code,
            ResponsePagePath: "/index.html",
            ResponseCode: "200",
            ErrorCachingMinTTL: 0,
          })),
        },
      },
    }),
  );
  return created.Distribution?.Id ?? "";
}

/** Every key in the bucket with its ETag, to compare before and after. */
export async function bucketState(
  cloud: WebCloud,
  bucket: string,
): Promise<Record<string, string>> {
  const s3 = s3Of(cloud);
  const state: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const object of page.Contents ?? []) state[object.Key ?? ""] = object.ETag ?? "";
    token = page.NextContinuationToken;
  } while (token);
  return state;
}

export interface BuiltSite {
  dir: string;
  manifest: { basePath: string; entryPoints: string[]; immutable: string[]; releaseId: string };
}

/** Builds the real SPA with app-web's build. */
export async function buildSite(
  outDir: string,
  options: { basePath?: string; releaseId: string; sourceDir?: string },
): Promise<BuiltSite> {
  const { buildWeb } = await load<{
    buildWeb(options: Record<string, unknown>): Promise<{ manifest: BuiltSite["manifest"] }>;
  }>("app-web/scripts/build.ts");
  const { manifest } = await buildWeb({ outDir, basePath: options.basePath ?? "/", ...options });
  return { dir: outDir, manifest };
}

/** A copy of a folder: every file gets a new mtime, as in a fresh CI checkout. */
export async function freshCopy(from: string, to: string): Promise<string> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, preserveTimestamps: false });
  return to;
}

export async function tempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `shipline-${name}-`));
}

export async function write(path: string, content: string): Promise<void> {
  await writeFile(path, content);
}

/** A copy of app-web's sources, to change one file and rebuild. */
export async function sourceCopy(to: string): Promise<string> {
  await cp(join(REPO_ROOT, "app-web/src"), to, { recursive: true });
  return to;
}

/** The asset URLs a page references (script src, stylesheet href). */
export function referencedAssets(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((match) => match[1] ?? "");
}

/**
 * Loads a page through the edge the way a browser would: the HTML, then every asset it names.
 * Broken when an asset is missing (the SPA fallback answers HTML for it) or fails.
 */
export async function loadPage(
  base: string,
  path = "/",
): Promise<{ ok: boolean; html: string; problems: string[] }> {
  const page = await fetch(`${base}${path}`);
  const html = await page.text();
  const problems: string[] = [];
  if (page.status !== 200) problems.push(`${path}: ${page.status}`);
  for (const asset of referencedAssets(html)) {
    const response = await fetch(`${base}${asset}`);
    const type = response.headers.get("content-type") ?? "";
    await response.arrayBuffer();
    if (response.status !== 200 || type.startsWith("text/html")) {
      problems.push(`${asset}: ${response.status} ${type}`);
    }
  }
  return { ok: problems.length === 0, html, problems };
}
