import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { type Clock, systemClock } from "../lib/clock";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { describeDistributions } from "../web/distributions";
import { createInvalidation, waitForInvalidation } from "../web/invalidate";
import { callerReference, urlPath } from "../web/invalidation-plan";
import { bucketError, readSiteManifest, type SiteLocation } from "../web/ledger";
import { siteName } from "../web/ledger-keys";
import { keptReleases } from "../web/manifest";
import { deleteKeys } from "../web/prune";

export interface DestroyResult {
  prefix: string;
  deleted: number;
  invalidationIds: string[];
}

export interface DestroyDeps {
  s3: S3Client;
  cloudfront: () => CloudFrontClient;
  logger: Logger;
  clock?: Clock;
  invalidationTimings?: { backoffMs?: number; maxBackoffMs?: number; pollMs?: number };
}

/** Every key under a prefix (used for shipline's own ledger folder only). */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3
      .send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw bucketError(error, bucket) ?? error;
      });
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? "").filter(Boolean));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Removes a preview: the files its manifests name (never anything else under the prefix), then
 * its ledger records, then one wildcard invalidation so the edge stops serving it.
 */
export async function destroySite(
  site: SiteLocation,
  settings: {
    distributionIds: string[];
    deleteLimit: number;
    releaseLabel: string;
    wait?: boolean;
    waitTimeoutMs?: number;
  },
  deps: DestroyDeps,
): Promise<DestroyResult> {
  const clock = deps.clock ?? systemClock;
  const distributions =
    settings.distributionIds.length > 0
      ? await describeDistributions(deps.cloudfront(), settings.distributionIds, site.bucket)
      : [];
  const manifest = await readSiteManifest(deps.s3, site);
  const files = manifest
    ? [
        ...new Set([
          ...keptReleases(manifest).flatMap((release) => Object.keys(release.files)),
          ...manifest.pendingDeletes,
        ]),
      ]
        .filter((key) => key.startsWith(site.prefix))
        .sort()
    : [];
  if (files.length > settings.deleteLimit) {
    throw new ConfigurationError(
      `removing ${site.prefix} would delete ${files.length} objects, more than input "delete-limit" (${settings.deleteLimit}) allows; nothing was deleted`,
    );
  }
  const records = await listKeys(
    deps.s3,
    site.bucket,
    `${site.ledgerPrefix}web/${siteName(site.prefix)}/`,
  );
  if (files.length === 0 && records.length === 0) {
    deps.logger.info(`nothing published under ${site.prefix}`);
    return { prefix: site.prefix, deleted: 0, invalidationIds: [] };
  }
  await deleteKeys(deps.s3, site.bucket, files);
  // The manifest goes last: if anything above fails, a retry still knows what to delete.
  await deleteKeys(
    deps.s3,
    site.bucket,
    records.sort(
      (a, b) => Number(a.endsWith("manifest.json")) - Number(b.endsWith("manifest.json")),
    ),
  );
  deps.logger.info(
    `deleted ${files.length} object(s) under ${site.prefix} and ${records.length} ledger record(s)`,
  );
  const invalidationIds: string[] = [];
  const timing = {
    clock,
    logger: deps.logger,
    deadline: clock.now() + (settings.waitTimeoutMs ?? 10 * 60_000),
    ...deps.invalidationTimings,
  };
  for (const distribution of distributions) {
    if (!site.prefix.startsWith(distribution.originPrefix)) continue;
    const paths = [`${urlPath(site.prefix, distribution.originPrefix)}*`];
    const created = await createInvalidation(
      deps.cloudfront(),
      {
        distributionId: distribution.id,
        paths,
        callerReference: callerReference(`destroy-${settings.releaseLabel}`, paths),
      },
      timing,
    );
    if (settings.wait) await waitForInvalidation(deps.cloudfront(), created, timing);
    invalidationIds.push(created.id);
  }
  return { prefix: site.prefix, deleted: files.length, invalidationIds };
}
