import { wildcardMatcher } from "../wildcard";

/**
 * CloudFront path patterns: `*` matches any run of characters (slashes included), `?` exactly one,
 * everything else literally and case-sensitively; the leading `/` is optional in the pattern.
 */
export const pathPatternMatcher = (pattern: string): ((path: string) => boolean) =>
  wildcardMatcher(pattern.startsWith("/") ? pattern : `/${pattern}`);
