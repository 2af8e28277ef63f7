import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CopyObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Clock } from "../lib/clock";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { describeDistributions } from "../web/distributions";
import { createInvalidation, waitForInvalidation } from "../web/invalidate";
import { callerReference, planInvalidation } from "../web/invalidation-plan";
import { readSiteManifest, type SiteLocation, writeManifestOnly } from "../web/ledger";
import { manifestKey } from "../web/ledger-keys";
import { currentObject, type Release } from "../web/manifest";
import { webArchivePrefix } from "./keys";

/**
 * Entry points (and other non-immutable files) are overwritten by every release, so their bytes
 * of release N would be gone when a rollback needs them. After each publish they are copied
 * inside the bucket under the ledger (server-side: nothing is uploaded), and a rollback copies
 * them back. Content-hashed assets need no copy: they are kept for the last releases anyway.
 */
export async function archiveWebRelease(
  s3: S3Client,
  site: SiteLocation,
  releaseId: string,
  logger: Logger,
): Promise<number> {
  const manifest = await readSiteManifest(s3, site);
  if (manifest?.live.releaseId !== releaseId) {
    throw new Error(`the web manifest does not show release ${releaseId} as live`);
  }
  const archive = webArchivePrefix(site.ledgerPrefix, releaseId);
  const files = Object.entries(manifest.live.files).filter(([, file]) => file.role !== "immutable");
  for (const [key] of files) {
    await s3.send(
      new CopyObjectCommand({
        Bucket: site.bucket,
        Key: `${archive}${key}`,
        CopySource: copySource(site.bucket, key),
      }),
    );
  }
  logger.info(`archived ${files.length} entry files of web release ${releaseId}`);
  return files.length;
}

export interface WebRestoreSettings {
  site: SiteLocation;
  distributionIds: string[];
  wait: boolean;
  waitTimeoutMs: number;
}

export interface WebRestoreResult {
  restored: string[];
  invalidated: string[];
}

/**
 * Makes a kept web release live again: checks its assets are all still in the bucket, copies its
 * archived entry files back over the live ones (with their headers), records it as the site's
 * live release (so the next publish diffs against what is really served), and invalidates the
 * paths whose content changed.
 */
export async function restoreWebRelease(
  s3: S3Client,
  cloudfront: () => CloudFrontClient,
  settings: WebRestoreSettings,
  releaseId: string,
  deps: { clock: Clock; logger: Logger },
): Promise<WebRestoreResult> {
  const { site } = settings;
  const manifest = await readSiteManifest(s3, site);
  const where = `s3://${site.bucket}/${manifestKey(site.ledgerPrefix, site.prefix)}`;
  if (!manifest) throw new ConfigurationError(`no web release was ever published (${where})`);
  if (manifest.live.releaseId === releaseId) {
    deps.logger.info(`web release ${releaseId} is live already`);
    return { restored: [], invalidated: [] };
  }
  const target = manifest.history.find((release) => release.releaseId === releaseId);
  if (!target) {
    throw new ConfigurationError(
      `web release ${quote(releaseId)} is no longer kept in the bucket (kept: ${[manifest.live, ...manifest.history].map((r) => r.releaseId).join(", ")}): raise keep-releases to roll back further`,
    );
  }
  const missing = Object.entries(target.files).filter(
    ([key, file]) =>
      file.role === "immutable" && currentObject(manifest, key)?.sha256 !== file.sha256,
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `web release ${quote(releaseId)} cannot be restored: ${missing.length} of its assets were pruned (e.g. ${missing[0]?.[0]})`,
    );
  }
  const archive = webArchivePrefix(site.ledgerPrefix, releaseId);
  const restored: string[] = [];
  // Non-entry files first, entry points last: a visitor never gets a page before its files.
  const order = Object.entries(target.files)
    .filter(([, file]) => file.role !== "immutable")
    .sort(([, a], [, b]) => (a.role === "entry" ? 1 : 0) - (b.role === "entry" ? 1 : 0));
  for (const [key, file] of order) {
    const live = currentObject(manifest, key);
    if (live?.sha256 === file.sha256 && live.cacheControl === file.cacheControl) continue;
    await s3.send(
      new CopyObjectCommand({
        Bucket: site.bucket,
        Key: key,
        CopySource: copySource(site.bucket, `${archive}${key}`),
        MetadataDirective: "REPLACE",
        ContentType: file.contentType,
        CacheControl: file.cacheControl,
      }),
    );
    restored.push(key);
  }
  const restoredRelease: Release = {
    releaseId: target.releaseId,
    publishedAt: new Date(deps.clock.now()).toISOString(),
    files: target.files,
  };
  await writeManifestOnly(s3, site, {
    ...manifest,
    live: restoredRelease,
    history: [manifest.live, ...manifest.history.filter((r) => r.releaseId !== releaseId)],
  });
  deps.logger.info(`web: restored ${restored.length} entry files of ${releaseId}`);
  const invalidated = await invalidate(cloudfront, settings, releaseId, restored, target, deps);
  return { restored, invalidated };
}

async function invalidate(
  cloudfront: () => CloudFrontClient,
  settings: WebRestoreSettings,
  releaseId: string,
  changedKeys: string[],
  target: Release,
  deps: { clock: Clock; logger: Logger },
): Promise<string[]> {
  if (changedKeys.length === 0 || settings.distributionIds.length === 0) return [];
  const client = cloudfront();
  const distributions = await describeDistributions(
    client,
    settings.distributionIds,
    settings.site.bucket,
  );
  const invalidationSettings = {
    clock: deps.clock,
    logger: deps.logger,
    deadline: deps.clock.now() + settings.waitTimeoutMs,
  };
  const ids: string[] = [];
  for (const distribution of distributions) {
    const { paths } = planInvalidation({
      changedKeys,
      siteKeys: Object.keys(target.files),
      originPrefix: distribution.originPrefix,
    });
    if (paths.length === 0) continue;
    const created = await createInvalidation(
      client,
      {
        distributionId: distribution.id,
        paths,
        // A rollback to the same release again is a new invalidation: the time is part of it.
        callerReference: callerReference(`rollback-${releaseId}-${deps.clock.now()}`, paths),
      },
      invalidationSettings,
    );
    deps.logger.info(`invalidation ${created.id} on ${distribution.id}: ${paths.join(" ")}`);
    if (settings.wait) await waitForInvalidation(client, created, invalidationSettings);
    ids.push(created.id);
  }
  return ids;
}

/** CopySource is "bucket/key" with the key URL-encoded (segments, keeping the slashes). */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}
