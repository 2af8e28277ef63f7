import { AwsError } from "../../server/errors";

/** How long a behaviour may keep a response, and what goes into its cache key. */
export interface CachePolicy {
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
  /** Whether the query string is part of the cache key. */
  queryStringInKey: boolean;
}

/** AWS's managed cache policies (their published ids and TTLs). */
export const MANAGED_CACHE_POLICIES: Record<string, CachePolicy & { name: string }> = {
  "658327ea-f89d-4fab-a63d-7e88639e58f6": {
    name: "Managed-CachingOptimized",
    minTtl: 1,
    defaultTtl: 86_400,
    maxTtl: 31_536_000,
    queryStringInKey: false,
  },
  "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": {
    name: "Managed-CachingOptimizedForUncompressedObjects",
    minTtl: 1,
    defaultTtl: 86_400,
    maxTtl: 31_536_000,
    queryStringInKey: false,
  },
  "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": {
    name: "Managed-CachingDisabled",
    minTtl: 0,
    defaultTtl: 0,
    maxTtl: 0,
    queryStringInKey: false,
  },
  "83da9c7e-98b4-4e11-a168-04f0df8e2c65": {
    name: "Managed-UseOriginCacheControlHeaders",
    minTtl: 0,
    defaultTtl: 0,
    maxTtl: 31_536_000,
    queryStringInKey: false,
  },
  "4cc15a8a-d715-48a4-82b8-cc0b614638fe": {
    name: "Managed-UseOriginCacheControlHeaders-QueryStrings",
    minTtl: 0,
    defaultTtl: 0,
    maxTtl: 31_536_000,
    queryStringInKey: true,
  },
};

export const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
export const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

export const managedCachePolicy = (id: string): CachePolicy => {
  const policy = MANAGED_CACHE_POLICIES[id];
  if (!policy) throw new AwsError("NoSuchCachePolicy", "The cache policy does not exist.", 404);
  return policy;
};

/** Legacy behaviours (ForwardedValues + MinTTL/DefaultTTL/MaxTTL) with CloudFront's defaults. */
export const legacyCachePolicy = (settings: {
  minTtl?: number | undefined;
  defaultTtl?: number | undefined;
  maxTtl?: number | undefined;
  queryString?: boolean | undefined;
}): CachePolicy => {
  const policy = {
    minTtl: settings.minTtl ?? 0,
    defaultTtl: settings.defaultTtl ?? 86_400,
    maxTtl: settings.maxTtl ?? 31_536_000,
    queryStringInKey: settings.queryString ?? false,
  };
  if (policy.minTtl > policy.defaultTtl || policy.defaultTtl > policy.maxTtl) {
    throw new AwsError(
      "InvalidTTLOrder",
      "The TTL order specified in CacheBehavior is not valid (MinTTL <= DefaultTTL <= MaxTTL).",
    );
  }
  return policy;
};
