import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  conditionAfter,
  readSiteManifestVersion,
  type SiteLocation,
  writeManifestOnly,
} from "../ledger/site";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { pointerIn } from "./atomic-publish";
import { readLiveState, switchLive } from "./live-store";
import { keptReleases, type SiteManifest } from "./manifest";
import { type LivePointer, releaseFolder } from "./release-router";

export interface AtomicRollbackPlan {
  target: string;
  pointer: LivePointer;
  /** The site's manifest with the target live (what the next publish diffs against). */
  manifest: SiteManifest;
}

/**
 * Plans making a kept release live again in the atomic mode: its files are all still in the
 * bucket (its own folder and the assets it references are kept), so the rollback is the store's
 * pointer and the manifest's order, nothing copied. `target` is a release id or "previous".
 */
export function planAtomicRollback(
  manifest: SiteManifest,
  target: string,
  now: string,
): AtomicRollbackPlan {
  const release =
    target === "previous"
      ? manifest.history[0]
      : keptReleases(manifest).find((candidate) => candidate.releaseId === target);
  const pointer = release ? pointerIn(manifest, release.releaseId) : undefined;
  if (!release || !pointer) {
    const kept = keptReleases(manifest)
      .map((r) => r.releaseId)
      .join(", ");
    throw new ConfigurationError(
      `release ${quote(target)} is not one of the kept releases of this site (${kept || "none"})`,
    );
  }
  const folder = `${manifest.prefix}${releaseFolder(release.releaseId)}`;
  if (!Object.keys(release.files).some((key) => key.startsWith(folder))) {
    throw new ConfigurationError(
      `release ${quote(release.releaseId)} was published before web-mode atomic (its pages are at the site's root, not under ${quote(folder)}): the pointer cannot make it live; publish it again in web-mode atomic`,
    );
  }
  const isLive = release === manifest.live;
  return {
    target: release.releaseId,
    pointer,
    manifest: isLive
      ? manifest
      : {
          ...manifest,
          live: { ...release, publishedAt: now },
          history: [manifest.live, ...manifest.history.filter((r) => r !== release)],
        },
  };
}

/**
 * Rolls the site back in the atomic mode: one PutKey (conditional on the store as read) is the
 * commit point, then the manifest records it. Returns the release made live.
 */
export async function rollbackAtomic(
  s3: S3Client,
  kvs: CloudFrontKeyValueStoreClient,
  site: SiteLocation,
  keyValueStoreArn: string,
  target: string,
  options: {
    logger: Logger;
    now: string;
    dryRun?: boolean;
    /** Told once the PutKey answered: the release is live from then on (the commit point). */
    onLive?: () => void;
  },
): Promise<AtomicRollbackPlan> {
  const version = await readSiteManifestVersion(s3, site);
  if (!version.manifest) {
    throw new ConfigurationError(`nothing was published to s3://${site.bucket}/${site.prefix} yet`);
  }
  const plan = planAtomicRollback(version.manifest, target, options.now);
  const state = await readLiveState(kvs, keyValueStoreArn, "key-value-store");
  options.logger.info(
    `live pointer ${keyValueStoreArn}: ${state.pointer?.release ?? "(none)"} → ${plan.target}`,
  );
  if (options.dryRun) return plan;
  await switchLive(kvs, state, plan.pointer);
  options.onLive?.();
  if (plan.manifest !== version.manifest) {
    await writeManifestOnly(s3, site, plan.manifest, conditionAfter(version));
  }
  options.logger.info(`release ${plan.target} is live again (one PutKey; nothing copied)`);
  return plan;
}
