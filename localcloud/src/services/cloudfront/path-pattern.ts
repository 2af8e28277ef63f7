/**
 * CloudFront path patterns: `*` matches any run of characters (slashes included), `?` exactly one,
 * everything else literally and case-sensitively; the leading `/` is optional in the pattern.
 */
export const pathPatternMatcher = (pattern: string): ((path: string) => boolean) => {
  const normalized = pattern.startsWith("/") ? pattern : `/${pattern}`;
  const source = [...normalized]
    .map((char) => {
      if (char === "*") return ".*";
      if (char === "?") return ".";
      return char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  const regex = new RegExp(`^${source}$`, "s");
  return (path) => regex.test(path);
};
