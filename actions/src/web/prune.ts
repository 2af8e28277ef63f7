import { DeleteObjectsCommand, type S3Client } from "@aws-sdk/client-s3";
import { type SiteLocation, writeManifestOnly } from "../ledger/site";
import type { Logger } from "../lib/logger";
import type { SiteManifest } from "./manifest";

/** DeleteObjects takes at most 1,000 keys. */
const BATCH = 1000;

/** Deletes keys in batches; fails naming the keys S3 refused. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += BATCH) {
    const batch = keys.slice(start, start + BATCH);
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const errors = result.Errors ?? [];
    if (errors.length > 0) {
      throw new Error(
        `S3 refused to delete ${errors.length} object(s): ${errors
          .slice(0, 5)
          .map((error) => `${error.Key} (${error.Code})`)
          .join(", ")}`,
      );
    }
  }
}

/**
 * Removes the files of releases that dropped out of the kept window. Runs after the new release
 * is live; the manifest already lists the keys as pending, so a failure here is retried by the
 * next publish instead of leaving objects no manifest knows about. Once done, the manifest is
 * rewritten without them.
 *
 * `stillUsed` (sites sharing the bucket's assets): what the other sites keep, read again right
 * before deleting, since one of them may have gone live with one of these files since this
 * publish planned. Such a file is left to them: their own pruning removes it once they drop it.
 */
export async function prune(
  s3: S3Client,
  site: SiteLocation,
  manifest: SiteManifest,
  logger: Logger,
  /** The ETag this run's manifest was written with: the rewrite goes over that one only. */
  etag?: string,
  stillUsed?: () => Promise<ReadonlySet<string>>,
): Promise<number> {
  if (manifest.pendingDeletes.length === 0) return 0;
  let keys = manifest.pendingDeletes;
  if (stillUsed) {
    const used = await stillUsed();
    const kept = keys.filter((key) => used.has(key));
    if (kept.length > 0) {
      logger.info(
        `leaving ${kept.length} object(s) another site sharing the bucket went live with since this publish planned`,
      );
      keys = keys.filter((key) => !used.has(key));
    }
  }
  if (keys.length > 0) {
    logger.info(`deleting ${keys.length} object(s) no kept release uses`);
    await deleteKeys(s3, site.bucket, keys);
  }
  await writeManifestOnly(
    s3,
    site,
    { ...manifest, pendingDeletes: [] },
    etag ? { etag } : undefined,
  );
  return keys.length;
}
