import * as z from "zod";

/**
 * The web release manifest: what one publish put where. Stored in the bucket under the ledger
 * prefix, it is what the next publish reads first (one GET, besides a listing), so it carries the current
 * release and the last releases whose files are kept (old tabs, instant rollback).
 */

export const MANIFEST_FORMAT = "shipline.web/1";

/** How a file is served. Part of its identity: a changed header is re-applied like new content. */
export interface ServedHeaders {
  contentType: string;
  cacheControl: string;
}

/** The upload group a file belongs to; groups go out in this order. */
export type FileRole = "immutable" | "other" | "entry";

export interface ManifestFile extends ServedHeaders {
  sha256: string;
  size: number;
  role: FileRole;
  /**
   * The ETag S3 gave the object when shipline wrote it, quotes removed. A listing showing another
   * one means the object was changed since; it also covers objects whose ETag is not an MD5
   * (multipart, SSE-KMS, SSE-C). Absent in manifests written before it was recorded.
   */
  etag?: string;
}

export interface Release {
  releaseId: string;
  /** ISO time the release went live. */
  publishedAt: string;
  /** Bucket key → file. Full keys (site prefix included), so pruning needs no other context. */
  files: Record<string, ManifestFile>;
}

export interface SiteManifest {
  format: typeof MANIFEST_FORMAT;
  /** The key prefix of the site ("" for the bucket root, "previews/pr-7/" for a preview). */
  prefix: string;
  live: Release;
  /** The releases before `live`, newest first, whose files are still in the bucket. */
  history: Release[];
  /** Keys a previous publish decided to delete but could not; retried by the next publish. */
  pendingDeletes: string[];
}

const fileSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  cacheControl: z.string(),
  role: z.enum(["immutable", "other", "entry"]),
  etag: z.string().optional(),
});

const releaseSchema = z.object({
  releaseId: z.string(),
  publishedAt: z.string(),
  files: z.record(z.string(), fileSchema),
});

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  prefix: z.string(),
  live: releaseSchema,
  history: z.array(releaseSchema),
  pendingDeletes: z.array(z.string()),
});

/** Parses a stored manifest; a document shipline did not write is an error, not a fresh start. */
export function parseSiteManifest(text: string, where: string): SiteManifest {
  return parseDocument(
    manifestSchema,
    text,
    `the web manifest at ${where}`,
    `a ${MANIFEST_FORMAT} document`,
  );
}

/** Parses one release's own record (releases/<id>.json). */
export function parseWebRelease(text: string, where: string): Release {
  return parseDocument(
    releaseSchema,
    text,
    `the web release at ${where}`,
    "a shipline release record",
  );
}

function parseDocument<T>(schema: z.ZodType<T>, text: string, what: string, expected: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new Error(`${what} is not ${expected}: ${result.error.issues[0]?.message ?? "invalid"}`);
  }
  return result.data;
}

/**
 * Stable bytes: fields in a fixed order and files sorted by key, so the same release always
 * serializes the same way. Compact: it is stored gzipped and read by programs.
 */
export function serializeSiteManifest(manifest: SiteManifest): string {
  return `${JSON.stringify({
    format: manifest.format,
    prefix: manifest.prefix,
    live: orderedRelease(manifest.live),
    history: manifest.history.map(orderedRelease),
    pendingDeletes: manifest.pendingDeletes,
  })}\n`;
}

export function orderedRelease(release: Release): Release {
  const files: Record<string, ManifestFile> = {};
  for (const key of Object.keys(release.files).sort()) {
    const file = release.files[key] as ManifestFile;
    files[key] = {
      sha256: file.sha256,
      size: file.size,
      contentType: file.contentType,
      cacheControl: file.cacheControl,
      role: file.role,
      ...(file.etag ? { etag: file.etag } : {}),
    };
  }
  return { releaseId: release.releaseId, publishedAt: release.publishedAt, files };
}

/** Every release whose files are in the bucket, newest first. */
export function keptReleases(manifest: SiteManifest): Release[] {
  return [manifest.live, ...manifest.history];
}

/**
 * What shipline last put at `key`: the newest kept release that wrote it. Something outside
 * shipline may have changed the bucket since, so a publish checks this against a listing.
 */
export function currentObject(
  manifest: SiteManifest | undefined,
  key: string,
): ManifestFile | undefined {
  if (!manifest) return undefined;
  for (const release of keptReleases(manifest)) {
    const file = release.files[key];
    if (file) return file;
  }
  return undefined;
}
