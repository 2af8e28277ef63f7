/**
 * A matcher for AWS's wildcard patterns (CloudFront path patterns, IAM actions and resources):
 * `*` matches any run of characters, slashes included, `?` exactly one, everything else literally.
 */
export const wildcardMatcher = (
  pattern: string,
  options: { ignoreCase?: boolean } = {},
): ((value: string) => boolean) => {
  const source = [...pattern]
    .map((char) => {
      if (char === "*") return ".*";
      if (char === "?") return ".";
      return char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  const regex = new RegExp(`^${source}$`, options.ignoreCase ? "is" : "s");
  return (value) => regex.test(value);
};
