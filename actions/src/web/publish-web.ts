import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { S3Client } from "@aws-sdk/client-s3";
import picomatch from "picomatch";
import { type Clock, systemClock } from "../lib/clock";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { applyUploads } from "./apply";
import { type AssetManifest, readAssetManifest } from "./asset-manifest";
import { listObjects } from "./bucket-listing";
import {
  checkServedPrefix,
  type DistributionInfo,
  describeDistributions,
  siteUrl,
} from "./distributions";
import { DEFAULT_ENTRY_PATTERNS, headerRules } from "./headers";
import { MIN_PART, type PublishWebInputs } from "./inputs";
import { createInvalidation, waitForInvalidation } from "./invalidate";
import { callerReference, planInvalidation } from "./invalidation-plan";
import { conditionAfter, readSiteManifestVersion, type SiteLocation } from "./ledger";
import { checkReleaseId, snapshotFolder } from "./ledger-keys";
import { type PublishPlan, planPublish, planTotals } from "./plan";
import { prune } from "./prune";
import { type InvalidationOutcome, type PublishResult, reportPublish } from "./report";
import { walkFolder } from "./walk";

export interface PublishWebDeps {
  logger: Logger;
  s3: S3Client;
  /** Created only when there are distributions. */
  cloudfront: () => CloudFrontClient;
  clock?: Clock;
  /** Polling and backoff timings (tests shorten them). */
  invalidationTimings?: { backoffMs?: number; maxBackoffMs?: number; pollMs?: number };
}

/**
 * publish-web: walk and hash the built folder → read the site's manifest (one GET) and list the
 * bucket under the site's prefix (one request per 1,000 keys) → plan →
 * upload in order → record the release → invalidate → prune → report. Every check that can fail
 * on the user's input runs before the first write.
 */
export async function publishWeb(
  inputs: PublishWebInputs,
  deps: PublishWebDeps,
): Promise<PublishResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const { logger } = deps;

  const isExcluded = picomatch(inputs.exclude, { dot: true });
  const walked = await walkFolder(inputs.source);
  const files = walked.filter((file) => !isExcluded(file.path));
  if (!files.some((file) => file.path === "index.html")) {
    throw new ConfigurationError(
      `input "source" ${quote(inputs.source)} has no index.html at its top: is it the built site?`,
    );
  }
  const ledgerClash = files.find((file) =>
    `${inputs.prefix}${file.path}`.startsWith(inputs["ledger-prefix"]),
  );
  if (ledgerClash) {
    throw new ConfigurationError(
      `file ${quote(ledgerClash.path)} would land in the reserved ledger prefix ${quote(inputs["ledger-prefix"])}`,
    );
  }
  const assets = await readAssetManifest(walked);
  const releaseId = checkReleaseId(
    inputs["release-id"] ?? assets?.releaseId ?? inputs.revision ?? missingReleaseId(),
  );

  const distributions =
    inputs["distribution-id"].length > 0
      ? await describeDistributions(deps.cloudfront(), inputs["distribution-id"], inputs.bucket)
      : [];
  checkServedPrefix(inputs.prefix, distributions);
  const servedAt = `/${inputs.prefix.slice(distributions[0]?.originPrefix.length ?? 0)}`;
  checkBasePath(assets, servedAt);

  const site: SiteLocation = {
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    ledgerPrefix: inputs["ledger-prefix"],
  };
  // The manifest says what shipline put there, the listing what is there now: both are read.
  const [version, listed] = await Promise.all([
    readSiteManifestVersion(deps.s3, site),
    listObjects(deps.s3, inputs.bucket, inputs.prefix),
  ]);
  const previous = version.manifest;
  const plan = planPublish({
    releaseId,
    prefix: inputs.prefix,
    files,
    headers: headerRules({
      immutable: new Set(assets?.immutable ?? []),
      immutablePatterns: inputs.immutable,
      entryPoints: new Set(assets?.entryPoints ?? []),
      entryPatterns:
        inputs["entry-points"].length > 0 ? inputs["entry-points"] : DEFAULT_ENTRY_PATTERNS,
      cacheControlRules: inputs["cache-control"],
      contentTypeRules: inputs["content-type"],
    }),
    previous,
    listed,
    keepReleases: inputs["keep-releases"],
    deleteLimit: inputs["delete-limit"],
    now: new Date(clock.now()).toISOString(),
    snapshotFolder: snapshotFolder(inputs["ledger-prefix"], inputs.prefix),
  });
  const invalidations = inputs.invalidate
    ? invalidationBatches(plan, distributions, version.etag ?? "none")
    : [];
  // A root site is served at "/" (the default root object); a prefix needs its index.html named.
  const url = inputs.url
    ? `${inputs.url.replace(/\/+$/, "")}${servedAt}${inputs.prefix ? "index.html" : ""}`
    : distributions[0]
      ? siteUrl(distributions[0].domainName, `${servedAt}${inputs.prefix ? "index.html" : ""}`)
      : undefined;

  const result: PublishResult = {
    releaseId,
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    dryRun: inputs["dry-run"],
    files: plan.files,
    totals: planTotals(plan.files),
    bytesSent: 0,
    deleted: 0,
    deletes: plan.deletes,
    deleteBytes: plan.deleteBytes,
    invalidations: invalidations.map((batch) => ({ ...batch, id: "", status: "planned" })),
    ...(url ? { url } : {}),
    durationMs: 0,
  };
  if (!inputs["dry-run"]) {
    const applied = await applyUploads(
      deps.s3,
      plan,
      site,
      {
        bucket: inputs.bucket,
        concurrency: inputs.concurrency,
        multipartThreshold: inputs["multipart-threshold"],
        // Half the threshold (never below S3's smallest part), so a large file has two parts or more.
        partSize: Math.max(MIN_PART.bytes, Math.ceil(inputs["multipart-threshold"] / 2)),
      },
      logger,
      conditionAfter(version),
    );
    result.bytesSent = applied.bytesSent;
    result.invalidations = await invalidate(deps, invalidations, inputs, clock);
    if (applied.manifest) {
      result.deleted = await prune(deps.s3, site, applied.manifest, logger, applied.manifestEtag);
    }
  }
  result.durationMs = clock.now() - started;
  await reportPublish(result, logger);
  return result;
}

function missingReleaseId(): never {
  throw new ConfigurationError(
    'input "release-id" is required (or give "revision", or publish a build whose asset-manifest.json has a releaseId)',
  );
}

/** A build made for another base path would load its assets from the wrong place. */
function checkBasePath(assets: AssetManifest | undefined, servedAt: string): void {
  if (assets?.basePath !== undefined && assets.basePath !== servedAt) {
    throw new ConfigurationError(
      `the build's base path ${quote(assets.basePath)} (asset-manifest.json) is not where it would be served (${quote(servedAt)}): build it with --base ${servedAt}`,
    );
  }
}

interface Batch {
  distributionId: string;
  paths: string[];
  callerReference: string;
}

/** `basis`: the manifest version the plan was made from (see callerReference). */
function invalidationBatches(
  plan: PublishPlan,
  distributions: DistributionInfo[],
  basis: string,
): Batch[] {
  const siteKeys = plan.files.map((file) => file.key);
  return distributions.flatMap((distribution) => {
    const { paths } = planInvalidation({
      changedKeys: plan.invalidate,
      siteKeys,
      originPrefix: distribution.originPrefix,
    });
    if (paths.length === 0) return [];
    return [
      {
        distributionId: distribution.id,
        paths,
        callerReference: callerReference(plan.releaseId, paths, basis),
      },
    ];
  });
}

/** Creates every distribution's invalidation, then (optionally) waits for all of them at once. */
async function invalidate(
  deps: PublishWebDeps,
  batches: Batch[],
  inputs: PublishWebInputs,
  clock: Clock,
): Promise<InvalidationOutcome[]> {
  if (batches.length === 0) return [];
  const cloudfront = deps.cloudfront();
  const settings = {
    clock,
    logger: deps.logger,
    deadline: clock.now() + inputs["wait-timeout"],
    ...deps.invalidationTimings,
  };
  const created = [];
  for (const batch of batches) {
    const invalidation = await createInvalidation(cloudfront, batch, settings);
    deps.logger.info(
      `invalidation ${invalidation.id} on ${batch.distributionId}: ${batch.paths.join(" ")}`,
    );
    created.push(invalidation);
  }
  if (!inputs.wait) return created;
  return Promise.all(created.map((item) => waitForInvalidation(cloudfront, item, settings)));
}
