import { ConfigurationError } from "../lib/errors";
import { etagIsMd5, type ListedObject } from "./bucket-listing";
import type { FileHeaders } from "./headers";
import {
  currentObject,
  type FileRole,
  keptReleases,
  MANIFEST_FORMAT,
  type ManifestFile,
  type Release,
  type SiteManifest,
} from "./manifest";
import type { LocalFile } from "./walk";

/** What happens to one file: sent, copied inside the bucket (no bytes sent), or left alone. */
export type FileAction = "upload" | "copy" | "skip";

/**
 * Why a file is sent: not in the manifest, other content, other headers, or (the manifest says it
 * is there, the bucket does not agree) gone from the bucket or changed there outside shipline.
 */
export type ChangeReason = "new" | "content" | "headers" | "missing" | "drifted" | "unchanged";

export interface PlannedFile extends ManifestFile {
  key: string;
  /** Path in the local folder. */
  path: string;
  absolutePath: string;
  action: FileAction;
  reason: ChangeReason;
  /** For copies: the key that already holds these bytes (the same key for a header-only change). */
  copyFrom?: string;
}

export interface PublishPlan {
  releaseId: string;
  prefix: string;
  /** In upload order: immutable assets, then other files, then entry points. */
  files: PlannedFile[];
  /** The manifest to write once the entry points are up; undefined when nothing changed. */
  manifest: SiteManifest | undefined;
  /** Keys to delete once the new release is live (only ever from dropped releases' manifests). */
  deletes: string[];
  /** Their size as the manifests recorded it. */
  deleteBytes: number;
  /** Keys whose cached copies must go: changed files that are not new immutable assets. */
  invalidate: string[];
  /**
   * Server-side copies of new entry points into the ledger, by content (`<folder><sha256>`), so a
   * rollback can put a release's pages back without its build. Only entry points: other unhashed
   * files can be many (a docs folder), and a rollback restores pages, as a deploy ships them.
   */
  snapshots: { key: string; from: string }[];
}

export interface PublishPlanInput {
  releaseId: string;
  prefix: string;
  files: LocalFile[];
  headers: (path: string) => FileHeaders;
  /** The site's manifest from the bucket; undefined on the first publish. */
  previous: SiteManifest | undefined;
  /**
   * What the bucket holds under the site's prefix (a listing). The manifest says what shipline
   * put there; this says what is there now, so anything deleted or overwritten since is repaired.
   * Undefined: the manifest is trusted as it is.
   */
  listed?: ReadonlyMap<string, ListedObject>;
  /** Releases kept besides the new live one. */
  keepReleases: number;
  deleteLimit: number;
  /** ISO time, recorded as the release's publishedAt. */
  now: string;
  /** Ledger folder for snapshots of entry points; none are taken when undefined. */
  snapshotFolder?: string;
  /**
   * The atomic web mode: every file but the hashed assets goes under this folder of the site
   * (`releases/<id>/`), its own keys that no other release writes; the assets stay shared.
   */
  releaseFolder?: string;
  /**
   * Keys other sites' kept releases use (host previews and production share hashed assets):
   * never deleted by this site, whose manifest then stops naming them.
   */
  protectedKeys?: ReadonlySet<string>;
  /**
   * A host preview's publish: an immutable file at a key the bucket already holds and this
   * site's manifest does not know (another site's asset) is never overwritten: the same bytes
   * are left alone, other bytes under the same hashed name are refused (a build cannot replace
   * an asset production serves).
   */
  sharedAssetsReadOnly?: boolean;
}

const ROLE_ORDER: Record<FileRole, number> = { immutable: 0, other: 1, entry: 2 };

/** CopyObject refuses sources above 5 GiB; those are sent again. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

/**
 * Diffs the built folder against the site's manifest, by content and headers (never mtimes), and
 * decides the order, the deletes and what to invalidate. Pure: the same inputs give the same plan,
 * and `--dry-run` prints exactly this.
 */
export function planPublish(input: PublishPlanInput): PublishPlan {
  const { previous, prefix } = input;
  const keyOf = (path: string) =>
    input.releaseFolder !== undefined && input.headers(path).role !== "immutable"
      ? `${prefix}${input.releaseFolder}${path}`
      : `${prefix}${path}`;
  const desiredSha = new Map(input.files.map((file) => [keyOf(file.path), file.sha256]));
  // Built on first need: an unchanged site never pays for it.
  let holders: Map<string, string> | undefined;
  const files: PlannedFile[] = input.files.map((file) => {
    const key = keyOf(file.path);
    const headers = input.headers(file.path);
    const desired: ManifestFile = {
      sha256: file.sha256,
      size: file.size,
      contentType: headers.contentType,
      cacheControl: headers.cacheControl,
      role: headers.role,
    };
    const base = { ...desired, key, path: file.path, absolutePath: file.absolutePath };
    const current = currentObject(previous, key);
    if (!current && input.sharedAssetsReadOnly && headers.role === "immutable") {
      const theirs = input.listed?.get(key);
      if (theirs) {
        if (bucketCopy(input.listed, key, file, undefined) !== "holds") {
          throw new ConfigurationError(
            `${file.path}: the bucket already holds ${key} with other content (another release's hashed asset); a preview never overwrites a shared asset: give changed content a new hashed name`,
          );
        }
        return { ...base, etag: theirs.etag, action: "skip", reason: "unchanged" };
      }
    }
    const inBucket = bucketCopy(input.listed, key, file, current?.etag);
    if (current && current.sha256 === file.sha256 && inBucket === "holds") {
      const sameHeaders =
        current.contentType === desired.contentType &&
        current.cacheControl === desired.cacheControl;
      // An object left alone keeps its ETag: the next publish compares the listing with it.
      const etag = input.listed?.get(key)?.etag ?? current.etag;
      return sameHeaders
        ? { ...base, ...(etag ? { etag } : {}), action: "skip", reason: "unchanged" }
        : { ...base, action: "copy", reason: "headers", copyFrom: key };
    }
    const reason: ChangeReason = !current
      ? "new"
      : current.sha256 !== file.sha256 || inBucket === "holds"
        ? "content"
        : inBucket;
    holders ??= contentIndex(previous, desiredSha);
    const holder = holders.get(file.sha256);
    // A copy only from an object the bucket shows still holding these bytes.
    if (
      holder !== undefined &&
      file.size <= MAX_COPY_BYTES &&
      bucketCopy(input.listed, holder, file, currentObject(previous, holder)?.etag) === "holds"
    ) {
      return { ...base, action: "copy", reason, copyFrom: holder };
    }
    return { ...base, action: "upload", reason };
  });
  files.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || compare(a.key, b.key));

  const changed = files.filter((file) => file.action !== "skip");
  const live: Release = {
    releaseId: input.releaseId,
    publishedAt: input.now,
    files: Object.fromEntries(
      files.map((file) => [
        file.key,
        {
          sha256: file.sha256,
          size: file.size,
          contentType: file.contentType,
          cacheControl: file.cacheControl,
          role: file.role,
          ...(file.etag ? { etag: file.etag } : {}),
        },
      ]),
    ),
  };
  const earlier = previous ? keptReleases(previous) : [];
  const history = earlier.slice(0, input.keepReleases);
  const dropped = earlier.slice(input.keepReleases);
  const kept = new Set([live, ...history].flatMap((release) => Object.keys(release.files)));
  const folder = input.snapshotFolder;
  const snapshotsOf = (releases: Release[]) =>
    folder === undefined ? [] : [...entryPointContent(releases)].map((sha) => `${folder}${sha}`);
  for (const key of snapshotsOf([live, ...history])) kept.add(key);
  const candidates = [
    ...dropped.flatMap((release) => Object.keys(release.files)),
    ...snapshotsOf(dropped),
    ...(previous?.pendingDeletes ?? []),
  ];
  // Only keys of this site's own manifests (and its snapshots), never one a kept release uses.
  const deletes = [...new Set(candidates)]
    .filter(
      (key) =>
        (key.startsWith(prefix) || (folder !== undefined && key.startsWith(folder))) &&
        !kept.has(key) &&
        !input.protectedKeys?.has(key),
    )
    .sort(compare);
  if (deletes.length > input.deleteLimit) {
    throw new ConfigurationError(
      `this publish would delete ${deletes.length} objects, more than input "delete-limit" (${input.deleteLimit}) allows; nothing was changed. Raise the limit if this is expected (first keys: ${deletes.slice(0, 5).join(", ")})`,
    );
  }

  const somethingChanged =
    changed.length > 0 ||
    deletes.length > 0 ||
    previous === undefined ||
    previous.live.releaseId !== input.releaseId ||
    Object.keys(previous.live.files).length !== files.length;
  const manifest: SiteManifest | undefined = somethingChanged
    ? { format: MANIFEST_FORMAT, prefix, live, history, pendingDeletes: deletes }
    : undefined;

  const invalidate = changed
    .filter((file) => file.role !== "immutable" || file.reason !== "new")
    .map((file) => file.key);
  const taken = entryPointContent(earlier);
  const snapshots: PublishPlan["snapshots"] = [];
  if (folder !== undefined && manifest) {
    for (const file of files) {
      if (file.role !== "entry" || taken.has(file.sha256)) continue;
      taken.add(file.sha256);
      snapshots.push({ key: `${folder}${file.sha256}`, from: file.key });
    }
  }
  const sizes = recordedSizes(earlier, folder);
  const deleteBytes = deletes.reduce((total, key) => total + (sizes.get(key) ?? 0), 0);
  return {
    releaseId: input.releaseId,
    prefix,
    files,
    manifest,
    deletes,
    deleteBytes,
    invalidate,
    snapshots,
  };
}

/**
 * Whether the bucket's object at `key` holds `file`'s bytes: there, the same size, and the ETag
 * shipline recorded when it wrote the object or, where the ETag is an MD5 (one part, no KMS),
 * the file's MD5. Without a listing, it is taken to.
 */
function bucketCopy(
  listed: ReadonlyMap<string, ListedObject> | undefined,
  key: string,
  file: { size: number; md5: string },
  recordedEtag: string | undefined,
): "holds" | "missing" | "drifted" {
  if (!listed) return "holds";
  const object = listed.get(key);
  if (!object) return "missing";
  if (object.size !== file.size) return "drifted";
  if (object.etag === recordedEtag) return "holds";
  if (etagIsMd5(object.etag)) return object.etag === file.md5 ? "holds" : "drifted";
  // Not an MD5 (multipart, SSE-KMS, SSE-C): only a recorded ETag can vouch for the bytes.
  return recordedEtag === undefined ? "holds" : "drifted";
}

/** Key → size as the releases recorded it, snapshots included. */
function recordedSizes(releases: Release[], folder: string | undefined): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const release of releases) {
    for (const [key, file] of Object.entries(release.files)) {
      if (!sizes.has(key)) sizes.set(key, file.size);
      if (folder !== undefined && file.role === "entry")
        sizes.set(`${folder}${file.sha256}`, file.size);
    }
  }
  return sizes;
}

/** The content of releases' entry points: what their snapshots hold. */
function entryPointContent(releases: Release[]): Set<string> {
  return new Set(
    releases.flatMap((release) =>
      Object.values(release.files)
        .filter((file) => file.role === "entry")
        .map((file) => file.sha256),
    ),
  );
}

/**
 * sha256 → a key whose object holds those bytes now and keeps them through this publish (a key
 * this publish overwrites may change before the copy runs), for server-side copies.
 */
function contentIndex(
  previous: SiteManifest | undefined,
  desiredSha: ReadonlyMap<string, string>,
): Map<string, string> {
  const index = new Map<string, string>();
  if (!previous) return index;
  for (const release of keptReleases(previous)) {
    for (const key of Object.keys(release.files).sort(compare)) {
      const current = currentObject(previous, key);
      if (!current || index.has(current.sha256)) continue;
      const next = desiredSha.get(key);
      if (next === undefined || next === current.sha256) index.set(current.sha256, key);
    }
  }
  return index;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface PlanTotals {
  uploaded: number;
  uploadedBytes: number;
  copied: number;
  copiedBytes: number;
  skipped: number;
  skippedBytes: number;
}

export function planTotals(files: PlannedFile[]): PlanTotals {
  const sum = (action: FileAction) => files.filter((file) => file.action === action);
  const bytes = (list: PlannedFile[]) => list.reduce((total, file) => total + file.size, 0);
  return {
    uploaded: sum("upload").length,
    uploadedBytes: bytes(sum("upload")),
    copied: sum("copy").length,
    copiedBytes: bytes(sum("copy")),
    skipped: sum("skip").length,
    skippedBytes: bytes(sum("skip")),
  };
}
