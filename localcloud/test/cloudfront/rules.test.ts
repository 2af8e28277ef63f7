import { describe, expect, it } from "vitest";
import {
  legacyCachePolicy,
  MANAGED_CACHE_POLICIES,
} from "../../src/services/cloudfront/cache-policies";
import { cacheTtlSeconds } from "../../src/services/cloudfront/edge/ttl";
import { invalidationCovers } from "../../src/services/cloudfront/invalidation-rules";
import { pathPatternMatcher } from "../../src/services/cloudfront/path-pattern";

describe("path patterns", () => {
  it.each([
    ["/api/*", "/api/tasks", true],
    ["/api/*", "/api/", true],
    ["/api/*", "/api", false],
    ["/api/*", "/API/tasks", false],
    ["api/*", "/api/tasks/1", true],
    ["*.js", "/assets/app.js", true],
    ["/images/*.jp?g", "/images/a.jpeg", true],
    ["/images/*.jp?g", "/images/a.jpg", false],
    ["/a.b", "/axb", false],
    ["*", "/anything/at/all", true],
  ])("%s matches %s: %s", (pattern, path, expected) => {
    expect(pathPatternMatcher(pattern)(path)).toBe(expected);
  });
});

describe("invalidation paths", () => {
  it.each([
    ["/index.html", "/index.html", true],
    ["/index.html", "/index.htm", false],
    ["/assets/*", "/assets/app.js", true],
    ["/assets/*", "/assets", false],
    ["/*", "/", true],
    ["/app*", "/app.js", true],
  ])("%s covers %s: %s", (invalidation, cached, expected) => {
    expect(invalidationCovers(invalidation, cached)).toBe(expected);
  });
});

describe("edge TTLs", () => {
  const optimized = MANAGED_CACHE_POLICIES["658327ea-f89d-4fab-a63d-7e88639e58f6"];
  const disabled = MANAGED_CACHE_POLICIES["4135ea2d-6df8-44a3-9df3-4b5a84be39ad"];
  const legacy = legacyCachePolicy({ minTtl: 0, defaultTtl: 300, maxTtl: 3600 });
  const now = Date.parse("2026-01-01T00:00:00Z");

  it.each([
    ["max-age within bounds", legacy, "max-age=60", undefined, 60],
    ["s-maxage wins over max-age", legacy, "max-age=60, s-maxage=120", undefined, 120],
    ["max-age capped by MaxTTL", legacy, "max-age=999999", undefined, 3600],
    ["immutable without max-age", legacy, "public, immutable", undefined, 3600],
    ["no header: DefaultTTL", legacy, undefined, undefined, 300],
    ["Expires", legacy, undefined, "Thu, 01 Jan 2026 00:01:00 GMT", 60],
    ["no-cache: stored, revalidated after MinTTL 0", legacy, "no-cache", undefined, 0],
    ["max-age=0: revalidated", legacy, "max-age=0", undefined, 0],
    ["no-store: not stored", legacy, "no-store", undefined, undefined],
    ["private: not stored", legacy, "private, max-age=60", undefined, undefined],
    ["CachingOptimized raises no-cache to MinTTL 1", optimized, "no-cache", undefined, 1],
    ["CachingDisabled never stores", disabled, "max-age=600", undefined, undefined],
  ])("%s", (_name, policy, cacheControl, expires, expected) => {
    if (!policy) throw new Error("missing policy");
    expect(cacheTtlSeconds(policy, cacheControl, expires, now)).toBe(expected);
  });

  it("refuses TTLs out of order", () => {
    expect(() => legacyCachePolicy({ minTtl: 10, defaultTtl: 5 })).toThrow(/TTL order/);
  });
});
