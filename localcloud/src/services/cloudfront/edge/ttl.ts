import type { CachePolicy } from "../cache-policies";

/** `max-age=60, public, immutable` → { "max-age": "60", public: "", immutable: "" }. */
export const parseCacheControl = (value: string | undefined): Map<string, string> => {
  const directives = new Map<string, string>();
  for (const part of (value ?? "").split(",")) {
    const [name, ...rest] = part.trim().split("=");
    if (!name) continue;
    directives.set(name.toLowerCase(), rest.join("=").replace(/^"|"$/g, ""));
  }
  return directives;
};

const seconds = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
};

/**
 * How many seconds the edge keeps a successful response, following CloudFront's rules: the
 * origin's `s-maxage`/`max-age` clamped to the policy's Min/Max TTL, DefaultTTL when the origin
 * says nothing, `no-cache` kept for MinTTL and then revalidated, `no-store`/`private` not kept
 * unless MinTTL forces it. `undefined` means "do not store".
 */
export const cacheTtlSeconds = (
  policy: CachePolicy,
  cacheControl: string | undefined,
  expires: string | undefined,
  now: number,
): number | undefined => {
  if (policy.maxTtl <= 0) return undefined;
  const clamp = (ttl: number) => Math.min(policy.maxTtl, Math.max(policy.minTtl, ttl));
  const directives = parseCacheControl(cacheControl);
  if (directives.has("no-store") || directives.has("private")) {
    return policy.minTtl > 0 ? policy.minTtl : undefined;
  }
  if (directives.has("no-cache")) return policy.minTtl;
  const maxAge = seconds(directives.get("s-maxage")) ?? seconds(directives.get("max-age"));
  if (maxAge !== undefined) return clamp(maxAge);
  if (directives.has("immutable")) return policy.maxTtl;
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (Number.isFinite(at)) return clamp(Math.max(0, Math.floor((at - now) / 1000)));
  }
  return clamp(policy.defaultTtl);
};
