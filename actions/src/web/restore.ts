import type { S3Client } from "@aws-sdk/client-s3";
import { CopyObjectCommand } from "@aws-sdk/client-s3";
import { snapshotFolder } from "../ledger/keys";
import { readSiteManifest, type SiteLocation, writeSiteManifest } from "../ledger/site";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { mapLimited } from "./concurrency";
import {
  currentObject,
  keptReleases,
  type ManifestFile,
  type Release,
  type SiteManifest,
} from "./manifest";
import { type ServedContent, servedContent } from "./served";
import { copySource } from "./transfer";

export interface RestoreCopy extends ManifestFile {
  key: string;
  /** The snapshot holding the file's bytes. */
  from: string;
}

export interface RestorePlan {
  release: Release;
  /** Entry points to put back from their snapshots. Empty when the bucket serves them already. */
  copies: RestoreCopy[];
  manifest: SiteManifest | undefined;
}

/**
 * Plans making a kept release live again: its hashed assets are still in the bucket (kept
 * releases are never pruned), so only its entry points are copied back from their snapshots;
 * other unhashed files stay as the newest release left them.
 * No upload, no build. `target` is a release id or "previous".
 */
export function planRestore(
  manifest: SiteManifest,
  target: string,
  folder: string,
  now: string,
  /**
   * What the bucket serves at the entry points, when read: a run that died after uploading
   * another release's pages left them there without recording it, so the manifest alone would
   * call the target live already and restore nothing.
   */
  served?: ServedContent,
): RestorePlan {
  const isLive = target === manifest.live.releaseId;
  const release = isLive
    ? manifest.live
    : target === "previous"
      ? manifest.history[0]
      : manifest.history.find((candidate) => candidate.releaseId === target);
  if (!release) {
    const kept = [manifest.live, ...manifest.history].map((r) => r.releaseId).join(", ");
    throw new ConfigurationError(
      `release ${quote(target)} is not one of the kept releases of this site (${kept || "none"})`,
    );
  }
  const copies = Object.entries(release.files)
    .filter(([key, file]) => {
      if (file.role !== "entry") return false;
      if (served && served[key] !== file.sha256) return true;
      const now = currentObject(manifest, key);
      return !(
        now?.sha256 === file.sha256 &&
        now.contentType === file.contentType &&
        now.cacheControl === file.cacheControl
      );
    })
    .map(([key, file]) => ({ ...file, key, from: `${folder}${file.sha256}` }))
    .sort(
      (a, b) => Number(a.role === "entry") - Number(b.role === "entry") || (a.key < b.key ? -1 : 1),
    );
  if (isLive) return { release, copies, manifest: undefined };
  return {
    release,
    copies,
    manifest: {
      ...manifest,
      live: { ...release, publishedAt: now },
      history: [manifest.live, ...manifest.history.filter((r) => r !== release)],
    },
  };
}

/**
 * Restores a kept release's entry points from their snapshots (server-side copies) and records
 * it as live. Returns the keys put back, for invalidation.
 */
export async function restoreRelease(
  s3: S3Client,
  site: SiteLocation,
  target: string,
  options: {
    logger: Logger;
    now: string;
    concurrency?: number;
    /** Told once every entry point is back: the commit point of a rollback's site. */
    onEntryPointsBack?: () => void;
  },
): Promise<RestorePlan> {
  const manifest = await readSiteManifest(s3, site);
  if (!manifest) {
    throw new ConfigurationError(`nothing was published to s3://${site.bucket}/${site.prefix} yet`);
  }
  const entryKeys = keptReleases(manifest).flatMap((release) =>
    Object.entries(release.files).flatMap(([key, file]) => (file.role === "entry" ? [key] : [])),
  );
  const plan = planRestore(
    manifest,
    target,
    snapshotFolder(site.ledgerPrefix, site.prefix),
    options.now,
    await servedContent(s3, site.bucket, [...new Set(entryKeys)]),
  );
  await mapLimited(plan.copies, options.concurrency ?? 8, (copy) =>
    s3.send(
      new CopyObjectCommand({
        Bucket: site.bucket,
        Key: copy.key,
        CopySource: copySource(site.bucket, copy.from),
        MetadataDirective: "REPLACE",
        ContentType: copy.contentType,
        CacheControl: copy.cacheControl,
        Metadata: { sha256: copy.sha256 },
      }),
    ),
  );
  options.onEntryPointsBack?.();
  if (plan.manifest) await writeSiteManifest(s3, site, plan.manifest);
  options.logger.info(
    `release ${plan.release.releaseId} is live again (${plan.copies.length} file(s) restored)`,
  );
  return plan;
}
