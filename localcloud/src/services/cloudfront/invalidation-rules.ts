import { AwsError } from "../../server/errors";
import type { StoredInvalidation } from "./store";

/** CloudFront's published limits on invalidations in progress, per distribution. */
export const MAX_FILE_PATHS_IN_PROGRESS = 3000;
export const MAX_WILDCARD_PATHS_IN_PROGRESS = 15;

export const isWildcard = (path: string): boolean => path.endsWith("*");

/** A path must start with `/`; `*` may only be its last character. */
export const validatePaths = (paths: string[]): void => {
  if (paths.length === 0) {
    throw new AwsError("InvalidArgument", "Your request contains no invalidation paths.");
  }
  const bad = paths.find(
    (path) => !path.startsWith("/") || path.slice(0, -1).includes("*") || path.length > 4000,
  );
  if (bad !== undefined) {
    throw new AwsError(
      "InvalidArgument",
      `Your request contains one or more invalid invalidation paths: "${bad}".`,
    );
  }
  if (paths.length > MAX_FILE_PATHS_IN_PROGRESS) {
    throw new AwsError("BatchTooLarge", "Invalidation batch specified is too large.", 413);
  }
};

/** Refuses a batch that would take the distribution past the in-progress limits. */
export const checkInProgressLimits = (inProgress: StoredInvalidation[], paths: string[]): void => {
  const all = [...inProgress.flatMap((i) => i.paths), ...paths];
  const wildcards = all.filter(isWildcard).length;
  const files = all.length - wildcards;
  if (files > MAX_FILE_PATHS_IN_PROGRESS || wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS) {
    throw new AwsError(
      "TooManyInvalidationsInProgress",
      `Processing your request will cause you to exceed the maximum number of in-progress invalidations: ${MAX_FILE_PATHS_IN_PROGRESS} file paths or ${MAX_WILDCARD_PATHS_IN_PROGRESS} wildcard paths per distribution (in progress and requested: ${files} file paths, ${wildcards} wildcard paths).`,
    );
  }
};

/** Same CallerReference: the same paths (in any order) replay the invalidation, others are refused. */
export const samePaths = (a: string[], b: string[]): boolean => {
  if (a.length !== b.length) return false;
  const sortedA = [...a].sort();
  const sortedB = [...b].sort();
  return sortedA.every((path, i) => path === sortedB[i]);
};

/** Whether an invalidation path names a cached path (exact, or a prefix ending in `*`). */
export const invalidationCovers = (invalidationPath: string, cachedPath: string): boolean =>
  isWildcard(invalidationPath)
    ? cachedPath.startsWith(invalidationPath.slice(0, -1))
    : cachedPath === invalidationPath;

/** RFC 1738's unsafe characters (`%` among them: it starts an escape). */
const UNSAFE = new Set([
  " ",
  "<",
  ">",
  '"',
  "#",
  "%",
  "{",
  "}",
  "|",
  "\\",
  "^",
  "~",
  "[",
  "]",
  "`",
]);

const mustBeEncoded = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code >= 0x7f || UNSAFE.has(char);
};

const percentEncode = (text: string): string =>
  [...Buffer.from(text, "utf8")]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");

/**
 * The one spelling CloudFront compares invalidation paths and cached URLs in. It documents that
 * non-ASCII and RFC 1738 unsafe characters are percent-encoded in an invalidation path and that
 * no other character may be, or the object is not invalidated. So a character that must be
 * encoded matches whether it came encoded or not (`/é~`, `/%C3%A9%7E`), while an escaped
 * character that needs no escape (`%28` for `(`) stays a different spelling and matches only
 * itself.
 */
export const canonicalInvalidationPath = (text: string): string =>
  text
    .split(/(%[0-9A-Fa-f]{2})/)
    // An escape stays an escape (hex in capitals); a raw character is escaped only if it must be.
    .map((part, i) =>
      i % 2 === 1
        ? part.toUpperCase()
        : [...part].map((c) => (mustBeEncoded(c) ? percentEncode(c) : c)).join(""),
    )
    .join("");
