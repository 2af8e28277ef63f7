import { createHash } from "node:crypto";
import { keyInvalidationPath } from "./invalidation-paths";

/** CloudFront's limits per distribution for invalidations in progress. */
export const MAX_FILE_PATHS = 3000;
export const MAX_WILDCARD_PATHS = 15;

export interface InvalidationPlanInput {
  /** Bucket keys whose cached copies are stale. */
  changedKeys: string[];
  /** Every key of the new release: unchanged ones count against a wildcard (needless purges). */
  siteKeys: string[];
  /** The prefix the distribution's origin path maps to "/" (usually ""). */
  originPrefix?: string;
  maxFilePaths?: number;
  maxWildcards?: number;
}

export interface Collapse {
  wildcard: string;
  replaced: number;
  needlessPurges: number;
}

export interface InvalidationPlan {
  /** Sorted; empty when nothing needs invalidating. */
  paths: string[];
  collapsed: Collapse[];
}

/** A key's invalidation path, encoded as CloudFront documents (see invalidation-paths.ts). */
export function urlPath(key: string, originPrefix = ""): string {
  return keyInvalidationPath(key.startsWith(originPrefix) ? key.slice(originPrefix.length) : key);
}

/** The paths a viewer may have cached a key under: `/dir/index.html` is also served as `/dir/`. */
export function viewerPaths(key: string, originPrefix = ""): string[] {
  const path = urlPath(key, originPrefix);
  return path.endsWith("/index.html") ? [path, path.slice(0, -"index.html".length)] : [path];
}

const isWildcard = (path: string) => path.endsWith("*");
const covers = (wildcard: string, path: string) => path.startsWith(wildcard.slice(0, -1));

/** Every folder above a path (`/a/b/c.html` → `/`, `/a/`, `/a/b/`), including a folder path itself. */
function folders(path: string): string[] {
  const result: string[] = [];
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
    result.push(path.slice(0, i + 1));
  }
  return result;
}

/**
 * Chooses the invalidation paths: the exact paths of what changed, and a folder wildcard only
 * where it is cheaper, i.e. it replaces more paths than the one it costs plus the unchanged files
 * it would purge for nothing. Past CloudFront's limits, folders are collapsed regardless, least
 * harmful first, down to `/*` as the last resort.
 */
export function planInvalidation(input: InvalidationPlanInput): InvalidationPlan {
  const maxFiles = input.maxFilePaths ?? MAX_FILE_PATHS;
  const maxWildcards = input.maxWildcards ?? MAX_WILDCARD_PATHS;
  const origin = input.originPrefix ?? "";
  const inOrigin = (key: string) => key.startsWith(origin);
  let paths = [
    ...new Set(input.changedKeys.filter(inOrigin).flatMap((key) => viewerPaths(key, origin))),
  ].sort();
  if (paths.length === 0) return { paths: [], collapsed: [] };
  const changedFiles = new Set(
    input.changedKeys.filter(inOrigin).map((key) => urlPath(key, origin)),
  );
  const unchanged = input.siteKeys
    .filter(inOrigin)
    .map((key) => urlPath(key, origin))
    .filter((path) => !changedFiles.has(path));
  const collapsed: Collapse[] = [];

  const evaluate = (folder: string) => {
    const wildcard = `${folder}*`;
    const under = paths.filter((path) => covers(wildcard, path) && path !== wildcard);
    const alreadyPurged = under.filter(isWildcard);
    const needlessPurges = unchanged.filter(
      (path) => covers(wildcard, path) && !alreadyPurged.some((w) => covers(w, path)),
    ).length;
    return { folder, wildcard, under, needlessPurges, gain: under.length - 1 - needlessPurges };
  };
  const apply = (choice: ReturnType<typeof evaluate>) => {
    const replaced = new Set(choice.under);
    paths = [...paths.filter((path) => !replaced.has(path)), choice.wildcard].sort();
    collapsed.push({
      wildcard: choice.wildcard,
      replaced: choice.under.length,
      needlessPurges: choice.needlessPurges,
    });
  };
  const best = (accept: (c: ReturnType<typeof evaluate>) => boolean) => {
    const candidates = [...new Set(paths.filter((p) => !isWildcard(p)).flatMap(folders))]
      .concat(paths.filter(isWildcard).flatMap((w) => folders(w.slice(0, -1)).slice(0, -1)))
      .map(evaluate)
      .filter(accept);
    // Highest gain; on a tie, the deeper folder (purges less), then by name for determinism.
    candidates.sort(
      (a, b) =>
        b.gain - a.gain || b.folder.length - a.folder.length || (a.folder < b.folder ? -1 : 1),
    );
    return candidates[0];
  };
  const wildcards = () => paths.filter(isWildcard).length;

  for (let choice = best((c) => c.gain > 0 && c.under.length > 1); choice; ) {
    if (wildcards() >= maxWildcards && !choice.under.some(isWildcard)) break;
    apply(choice);
    choice = best((c) => c.gain > 0 && c.under.length > 1);
  }
  while (paths.length - wildcards() > maxFiles || wildcards() > maxWildcards) {
    const choice = best((c) => c.under.length > 1);
    if (!choice) break;
    apply(choice);
  }
  if (paths.length - wildcards() > maxFiles || wildcards() > maxWildcards) {
    collapsed.push({ wildcard: "/*", replaced: paths.length, needlessPurges: unchanged.length });
    paths = ["/*"];
  }
  return { paths, collapsed };
}

/**
 * The same release and the same paths always give the same reference, so a retried run (or a
 * re-run of the job) replays CloudFront's first invalidation instead of creating a second one.
 * `basis` names the state the change was planned from (the manifest's ETag): publishing the same
 * release again over a bucket that changed since (a crashed run left another page up) is a new
 * change and needs a new invalidation, which a replay would not give.
 */
export function callerReference(releaseId: string, paths: string[], basis = ""): string {
  const digest = createHash("sha256")
    .update([...paths].sort().join("\n"))
    .update(basis ? `\n@${basis}` : "")
    .digest("hex")
    .slice(0, 16);
  return `shipline-${releaseId}-${digest}`;
}
