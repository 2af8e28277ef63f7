import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { join } from "node:path";
import {
  CreateDistributionCommand,
  CreateKeyValueStoreCommand,
  type DistributionConfig,
} from "@aws-sdk/client-cloudfront";
import { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import type { RawInputs } from "../../src/lib/inputs";
import { readOnly } from "../../src/lib/read-only";
import { parsePublishWebInputs } from "../../src/web/inputs";
import { loopbackLookup } from "../../src/web/loopback-lookup";
import { publishWeb } from "../../src/web/publish-web";
import type { PublishResult } from "../../src/web/report";
import { CACHING_OPTIMIZED, clientConfig, cloudFrontOf, s3Of, type WebCloud } from "./cloud";
import { memoryLogger } from "./publish-helpers";
import "@aws-sdk/signature-v4a";

/** The data plane client as shipline builds it (web/clients.ts), pointed at the cloud. */
export function keyValueStoreOf(cloud: WebCloud, options: { readOnly?: boolean } = {}) {
  const client = new CloudFrontKeyValueStoreClient({
    ...clientConfig(cloud),
    endpoint: cloud.env().AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, lookup: loopbackLookup }) },
  });
  return options.readOnly ? readOnly(client) : client;
}

export async function createKeyValueStore(cloud: WebCloud, name: string): Promise<string> {
  const created = await cloudFrontOf(cloud).send(new CreateKeyValueStoreCommand({ Name: name }));
  return created.KeyValueStore?.ARN ?? "";
}

/**
 * A distribution serving the bucket at "/" with the SPA fallback, and an `/api/*` behaviour
 * (on the same origin here) that the release router must leave alone.
 */
export async function createSiteDistribution(
  cloud: WebCloud,
  bucket: string,
  /** A viewer-request function the default behaviour already runs. */
  viewerRequestFunction?: string,
  /** Alternate domain names the edge answers (the viewer's Host). */
  aliases: string[] = [],
): Promise<string> {
  const behaviour = {
    TargetOriginId: "web",
    ViewerProtocolPolicy: "redirect-to-https" as const,
    CachePolicyId: CACHING_OPTIMIZED,
  };
  const functions = viewerRequestFunction
    ? {
        FunctionAssociations: {
          Quantity: 1,
          Items: [{ EventType: "viewer-request" as const, FunctionARN: viewerRequestFunction }],
        },
      }
    : {};
  const config: DistributionConfig = {
    CallerReference: `atomic-${bucket}-${Date.now()}`,
    Comment: "shipline atomic web test",
    Enabled: true,
    ...(aliases.length > 0 ? { Aliases: { Quantity: aliases.length, Items: aliases } } : {}),
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
    DefaultCacheBehavior: { ...behaviour, ...functions },
    CacheBehaviors: { Quantity: 1, Items: [{ ...behaviour, PathPattern: "/api/*" }] },
    CustomErrorResponses: {
      Quantity: 2,
      Items: [403, 404].map((code) => ({
        ErrorCode: code,
        ResponsePagePath: "/index.html",
        ResponseCode: "200",
        ErrorCachingMinTTL: 0,
      })),
    },
  };
  const created = await cloudFrontOf(cloud).send(
    new CreateDistributionCommand({ DistributionConfig: config }),
  );
  return created.Distribution?.Id ?? "";
}

const hashed = (content: string) => createHash("sha256").update(content).digest("hex").slice(0, 10);

/**
 * A small site of one release: pages naming their release and the hashed assets they load
 * (each asset names its release too, but `vendor`, shared by releases of one `vendor` version),
 * a folder page, and an unhashed robots.txt.
 */
export async function writeRelease(
  dir: string,
  release: string,
  vendor = "v1",
): Promise<{ assets: string[] }> {
  await mkdir(join(dir, "assets"), { recursive: true });
  await mkdir(join(dir, "docs"), { recursive: true });
  const js = `console.log("release ${release}");\n`;
  const css = `/* release ${release} */ body { color: black }\n`;
  const vendorJs = `/* vendor ${vendor} */\n`;
  const names = {
    js: `assets/app.${hashed(js)}.js`,
    css: `assets/app.${hashed(css)}.css`,
    vendor: `assets/vendor.${hashed(vendorJs)}.js`,
  };
  await writeFile(join(dir, names.js), js);
  await writeFile(join(dir, names.css), css);
  await writeFile(join(dir, names.vendor), vendorJs);
  const page = (title: string) =>
    `<!doctype html><html><head><meta name="release" content="${release}"><title>${title}</title><link rel="stylesheet" href="/${names.css}"><script src="/${names.vendor}"></script><script src="/${names.js}"></script></head><body>${title} ${release}</body></html>\n`;
  await writeFile(join(dir, "index.html"), page("home"));
  await writeFile(join(dir, "about.html"), page("about"));
  await writeFile(join(dir, "docs", "index.html"), page("docs"));
  await writeFile(join(dir, "robots.txt"), `# release ${release}\nUser-agent: *\n`);
  return { assets: Object.values(names) };
}

export interface AtomicSite {
  cloud: WebCloud;
  bucket: string;
  distributionId: string;
  store: string;
}

/** publish-web in the atomic mode, as the CLI runs it, with the test's KVS client. */
export async function publishAtomic(
  site: AtomicSite,
  source: string,
  release: string,
  raw: RawInputs = {},
  options: {
    readOnly?: boolean;
    beforeEntryPoints?: () => Promise<void>;
    /** Sees the publish's S3 client first (a test adds middleware to act between its calls). */
    tapS3?: (s3: S3Client) => void;
  } = {},
): Promise<PublishResult & { log: string[] }> {
  const { logger, lines } = memoryLogger();
  const inputs = parsePublishWebInputs({
    source,
    bucket: site.bucket,
    "distribution-id": site.distributionId,
    "release-id": release,
    immutable: "assets/**",
    "web-mode": "atomic",
    "key-value-store": site.store,
    "wait-timeout": "30s",
    ...raw,
  });
  const s3 = s3Of(site.cloud, { maxAttempts: 5 });
  options.tapS3?.(s3);
  const cloudfront = cloudFrontOf(site.cloud, { maxAttempts: 5 });
  const result = await publishWeb(inputs, {
    logger,
    s3: options.readOnly ? readOnly(s3) : s3,
    cloudfront: () => (options.readOnly ? readOnly(cloudfront) : cloudfront),
    keyValueStore: () => keyValueStoreOf(site.cloud, options),
    invalidationTimings: { pollMs: 50 },
    ...(options.beforeEntryPoints ? { beforeEntryPoints: options.beforeEntryPoints } : {}),
  });
  return { ...result, log: lines };
}

/** The release a page or asset names, or undefined. */
export function releaseNamed(text: string): string | undefined {
  return (
    /<meta name="release" content="([^"]+)">/.exec(text)?.[1] ?? /release (r\d+)/.exec(text)?.[1]
  );
}
