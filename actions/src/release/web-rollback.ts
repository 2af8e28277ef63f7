import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SiteLocation } from "../ledger/site";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { rollbackAtomic } from "../web/atomic-rollback";
import { describeDistributions } from "../web/distributions";
import { createInvalidation, waitForInvalidation } from "../web/invalidate";
import { callerReference, planInvalidation } from "../web/invalidation-plan";
import { keyValueStoreArn } from "../web/live-store";
import type { Release } from "../web/manifest";
import { type AfterCommitFailure, describeAfterCommit } from "../web/publish-phase";
import { restoreRelease } from "../web/restore";

export interface WebRestoreSettings {
  site: SiteLocation;
  distributionIds: string[];
  wait: boolean;
  waitTimeoutMs: number;
  /** web-mode atomic: the store (ARN or name) whose pointer a rollback moves. */
  keyValueStore?: string;
}

export interface WebRestoreResult {
  restored: string[];
  invalidated: string[];
  /** The invalidation failed after the entry points were restored: the release is live. */
  afterCommit?: AfterCommitFailure;
}

/**
 * Makes a kept web release live again with the web unit's restore (its entry points copied back
 * from the snapshots every publish keeps; its hashed assets are still in the bucket), then
 * invalidates the paths whose content changed. Once the entry points are back, the release is
 * live (the commit point): a failed invalidation is returned, not thrown, so the caller goes
 * forward, as a deploy does.
 */
export async function restoreWebRelease(
  s3: S3Client,
  cloudfront: () => CloudFrontClient,
  settings: WebRestoreSettings,
  releaseId: string,
  deps: {
    clock: Clock;
    logger: Logger;
    onEntryPointsBack?: () => void;
    keyValueStore?: () => CloudFrontKeyValueStoreClient;
  },
): Promise<WebRestoreResult> {
  if (settings.keyValueStore !== undefined) {
    // web-mode atomic: the release's files never left; one PutKey is the commit point.
    if (!deps.keyValueStore) throw new Error("web-mode atomic without a key value store client");
    const arn = await keyValueStoreArn(cloudfront(), settings.keyValueStore, "key-value-store");
    await rollbackAtomic(s3, deps.keyValueStore(), settings.site, arn, releaseId, {
      logger: deps.logger,
      now: new Date(deps.clock.now()).toISOString(),
      onLive: () => deps.onEntryPointsBack?.(),
    });
    return { restored: [], invalidated: [] };
  }
  const plan = await restoreRelease(s3, settings.site, releaseId, {
    logger: deps.logger,
    now: new Date(deps.clock.now()).toISOString(),
    ...(deps.onEntryPointsBack ? { onEntryPointsBack: deps.onEntryPointsBack } : {}),
  });
  const restored = plan.copies.map((copy) => copy.key);
  try {
    const invalidated = await invalidate(
      cloudfront,
      settings,
      releaseId,
      restored,
      plan.release,
      deps,
    );
    return { restored, invalidated };
  } catch (error) {
    const afterCommit: AfterCommitFailure = { stage: "invalidate", error: error as Error };
    deps.logger.warning(describeAfterCommit(afterCommit));
    return { restored, invalidated: [], afterCommit };
  }
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
