import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { S3Client } from "@aws-sdk/client-s3";
import { siteName } from "../ledger/keys";
import { readSiteManifest, type SiteLocation } from "../ledger/site";
import { type Clock, systemClock } from "../lib/clock";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { listKeys } from "../web/bucket-listing";
import { describeDistributions } from "../web/distributions";
import {
  createInvalidation,
  type InvalidationRequest,
  waitForInvalidation,
} from "../web/invalidate";
import { callerReference, urlPath } from "../web/invalidation-plan";
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

/** What removing a site would do: computed from reads only, printed as is by a dry run. */
export interface DestroyPlan {
  site: SiteLocation;
  /** The files its manifests name (never anything else under the prefix). */
  files: string[];
  /** Its ledger records, the manifest last. */
  records: string[];
  invalidations: InvalidationRequest[];
}

/** Reads what a site holds and plans its removal; writes nothing. */
export async function planDestroy(
  site: SiteLocation,
  settings: {
    distributionIds: string[];
    deleteLimit: number;
    releaseLabel: string;
    /** Keys other sites still use (a host preview shares assets): never deleted. */
    protectedKeys?: ReadonlySet<string>;
  },
  deps: Pick<DestroyDeps, "s3" | "cloudfront">,
): Promise<DestroyPlan> {
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
        .filter((key) => key.startsWith(site.prefix) && !settings.protectedKeys?.has(key))
        .sort()
    : [];
  if (files.length > settings.deleteLimit) {
    throw new ConfigurationError(
      `removing ${site.prefix} would delete ${files.length} objects, more than input "delete-limit" (${settings.deleteLimit}) allows; nothing was deleted`,
    );
  }
  const records = (
    await listKeys(deps.s3, site.bucket, `${site.ledgerPrefix}web/${siteName(site.prefix)}/`)
  ).sort((a, b) => Number(a.endsWith("manifest.json")) - Number(b.endsWith("manifest.json")));
  if (files.length === 0 && records.length === 0) {
    return { site, files, records, invalidations: [] };
  }
  // The last live release names this life of the site: a preview reopened, published and
  // destroyed again gets a new invalidation, a retried destroy the same one.
  const label = `destroy-${settings.releaseLabel}-${manifest?.live.releaseId ?? "unrecorded"}`;
  const invalidations = distributions
    .filter((distribution) => site.prefix.startsWith(distribution.originPrefix))
    .map((distribution) => {
      const paths = [`${urlPath(site.prefix, distribution.originPrefix)}*`];
      return {
        distributionId: distribution.id,
        paths,
        callerReference: callerReference(label, paths),
      };
    });
  return { site, files, records, invalidations };
}

/**
 * Removes a planned site: its files, then its ledger records (the manifest last: if anything
 * fails, a retry still knows what to delete), then one wildcard invalidation per distribution.
 */
export async function applyDestroy(
  plan: DestroyPlan,
  settings: { wait?: boolean; waitTimeoutMs?: number },
  deps: DestroyDeps,
): Promise<DestroyResult> {
  const { site } = plan;
  if (plan.files.length === 0 && plan.records.length === 0) {
    deps.logger.info(`nothing published under ${site.prefix}`);
    return { prefix: site.prefix, deleted: 0, invalidationIds: [] };
  }
  const clock = deps.clock ?? systemClock;
  await deleteKeys(deps.s3, site.bucket, plan.files);
  await deleteKeys(deps.s3, site.bucket, plan.records);
  deps.logger.info(
    `deleted ${plan.files.length} object(s) under ${site.prefix} and ${plan.records.length} ledger record(s)`,
  );
  const timing = {
    clock,
    logger: deps.logger,
    deadline: clock.now() + (settings.waitTimeoutMs ?? 10 * 60_000),
    ...deps.invalidationTimings,
  };
  const invalidationIds: string[] = [];
  for (const request of plan.invalidations) {
    const created = await createInvalidation(deps.cloudfront(), request, timing);
    if (settings.wait) await waitForInvalidation(deps.cloudfront(), created, timing);
    invalidationIds.push(created.id);
  }
  return { prefix: site.prefix, deleted: plan.files.length, invalidationIds };
}

/** A dry run's account of a planned removal. */
export function reportDestroyPlan(plan: DestroyPlan, logger: Logger): void {
  for (const key of plan.files) logger.info(`would delete ${key}`);
  for (const key of plan.records) logger.info(`would delete ${key}`);
  for (const request of plan.invalidations) {
    logger.info(`would invalidate ${request.paths.join(" ")} on ${request.distributionId}`);
  }
  logger.info(
    `would delete ${plan.files.length} object(s) under ${plan.site.prefix} and ${plan.records.length} ledger record(s)`,
  );
}
