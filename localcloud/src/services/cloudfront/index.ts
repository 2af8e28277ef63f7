import type { ServiceFactory } from "../service";
import { CloudFront, type CloudFrontOptions } from "./cloudfront";

export type { CloudFrontOptions, CloudFrontService } from "./cloudfront";
export type { S3ObjectRead, S3ObjectReader } from "./edge/s3-origin";
export type { KeyValueStores, StoredKeyValueStore } from "./key-value-stores/kvs-store";

/** Defaults, overridable for the demo and local runs through the environment. */
const optionsFromEnvironment = (): CloudFrontOptions => ({
  invalidationDelayMs: numberFromEnv("LOCALCLOUD_CLOUDFRONT_INVALIDATION_DELAY_MS", 1000),
  deployDelayMs: numberFromEnv("LOCALCLOUD_CLOUDFRONT_DEPLOY_DELAY_MS", 1000),
  defaultErrorCachingMinTtl: numberFromEnv("LOCALCLOUD_CLOUDFRONT_ERROR_CACHING_MIN_TTL", 10),
  functionTimeLimitMs: numberFromEnv("LOCALCLOUD_CLOUDFRONT_FUNCTION_TIME_LIMIT_MS", 1000),
});

const numberFromEnv = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`localcloud: ${name} must be a non-negative number, got "${value}"`);
  }
  return parsed;
};

/** A CloudFront service with explicit timings (tests); unset ones come from the environment. */
export const cloudFrontServiceWith = (options: Partial<CloudFrontOptions>): ServiceFactory => ({
  name: "cloudfront",
  create: (context) => new CloudFront(context, { ...optionsFromEnvironment(), ...options }),
});

/** CloudFront: distributions, invalidations and an edge server per distribution. */
export const cloudFrontService: ServiceFactory = cloudFrontServiceWith({});
