import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import { snapshotFolder } from "../ledger/keys";
import { conditionAfter, readSiteManifestVersion, type SiteLocation } from "../ledger/site";
import { type Clock, systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";
import {
  type ApplySettings,
  putBackEntryPoints,
  recordUploads,
  UploadError,
  type UploadResult,
  uploadFiles,
} from "./apply";
import { type AtomicSwitch, commitAtomic, prepareAtomic } from "./atomic-publish";
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
import type { SiteManifest } from "./manifest";
import { type PublishPlan, planPublish, planTotals } from "./plan";
import { prune } from "./prune";
import {
  type AfterCommitFailure,
  type AfterCommitStage,
  describeAfterCommit,
  SitePutBackError,
} from "./publish-phase";
import { releaseFolder } from "./release-router";
import { type InvalidationOutcome, type PublishResult, reportPublish } from "./report";
import { resendVanished } from "./resend-vanished";
import { keysOfOtherSites } from "./shared-sites";
import { type CheckedSite, checkBasePath, checkSiteFolder } from "./site-folder";

export interface PublishWebDeps {
  logger: Logger;
  s3: S3Client;
  /** Created only when there are distributions. */
  cloudfront: () => CloudFrontClient;
  /** The key value store's data plane, for web-mode atomic only. */
  keyValueStore?: () => CloudFrontKeyValueStoreClient;
  clock?: Clock;
  /** Polling and backoff timings (tests shorten them). */
  invalidationTimings?: { backoffMs?: number; maxBackoffMs?: number; pollMs?: number };
  /** SIGINT/SIGTERM: the publish stops before its next group of files, never among its pages. */
  signal?: AbortSignal;
  /**
   * Called once right before the first entry point is written, the commit point's first write
   * (its errors are warnings).
   */
  beforeEntryPoints?: () => Promise<void>;
  /** The store key of the site's pointer in web-mode atomic (a host preview's); default production's. */
  pointerKey?: string;
  /**
   * Keys other sites sharing the bucket's assets keep (shared-sites.ts), read before planning.
   * Default in web-mode atomic: those of the host previews (production's own publish).
   */
  sharedKeys?: () => Promise<ReadonlySet<string>>;
}

/** A publish that reached its commit point, and what (if anything) failed after it. */
export interface PublishOutcome {
  result: PublishResult;
  /** Set when a step after the entry points went live failed; the site serves the release. */
  afterCommit?: AfterCommitFailure;
}

/**
 * publish-web: walk and hash the built folder → read the site's manifest (one GET) and list the
 * bucket under the site's prefix (one request per 1,000 keys) → plan →
 * upload in order → record the release → invalidate → prune → report. Every check that can fail
 * on the user's input runs before the first write. A failure after the entry points went live
 * is thrown as it is (the release stays live); see publishWebRelease for the two phases.
 */
export async function publishWeb(
  inputs: PublishWebInputs,
  deps: PublishWebDeps,
  checked?: CheckedSite,
): Promise<PublishResult> {
  const outcome = await publishWebRelease(inputs, deps, checked);
  if (outcome.afterCommit) throw outcome.afterCommit.error;
  return outcome.result;
}

/**
 * The publish in its two phases around the commit point, the moment the entry points are live.
 * A failure before it is thrown and leaves the site serving what it served (entry points half
 * written are put back). A failure after it (recording, invalidation, pruning) is returned in
 * `afterCommit`, because the new release is what the site serves by then: a caller must go
 * forward from there, never back. `checked` is the folder as the caller already checked it.
 */
export async function publishWebRelease(
  inputs: PublishWebInputs,
  deps: PublishWebDeps,
  checked?: CheckedSite,
): Promise<PublishOutcome> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const { logger } = deps;

  const { files, assets, releaseId } = checked ?? (await checkSiteFolder(inputs));

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
  const atomic = inputs["web-mode"] === "atomic";
  // What the other sites sharing the bucket's assets keep: read before planning, and again
  // right before pruning.
  const sharedKeys =
    deps.sharedKeys ??
    (atomic
      ? () =>
          keysOfOtherSites(deps.s3, {
            bucket: inputs.bucket,
            prefix: inputs.prefix,
            rootLedger: inputs["ledger-prefix"],
            ownLedger: inputs["ledger-prefix"],
          })
      : undefined);
  const [version, listed, protectedKeys] = await Promise.all([
    readSiteManifestVersion(deps.s3, site),
    listObjects(deps.s3, inputs.bucket, inputs.prefix),
    sharedKeys?.(),
  ]);
  const previous = version.manifest;
  // The atomic mode keeps every release's own files, so no snapshot is needed for a rollback.
  const snapshots = snapshotFolder(inputs["ledger-prefix"], inputs.prefix);
  const plan = planPublish({
    releaseId,
    prefix: inputs.prefix,
    files,
    headers: headerRules({
      immutable: new Set(assets?.immutable ?? []),
      immutablePatterns: inputs.immutable,
      // Without a build manifest or patterns, names with a content hash are the immutable ones.
      contentHashedNames: !assets && inputs.immutable.length === 0,
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
    ...(protectedKeys ? { protectedKeys } : {}),
    ...(deps.pointerKey ? { sharedAssetsReadOnly: true } : {}),
    ...(atomic ? { releaseFolder: releaseFolder(releaseId) } : { snapshotFolder: snapshots }),
  });
  // Read (and checked) before anything is written: the store, its pointer, the router's state.
  const atomicSwitch: AtomicSwitch | undefined = atomic
    ? await prepareAtomic(inputs, deps, plan, distributions, servedAt)
    : undefined;
  const invalidations =
    inputs.invalidate && !atomic
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
  let afterCommit: AfterCommitFailure | undefined;
  if (!inputs["dry-run"]) {
    const settings: ApplySettings = {
      bucket: inputs.bucket,
      concurrency: inputs.concurrency,
      multipartThreshold: inputs["multipart-threshold"],
      // Half the threshold (never below S3's smallest part), so a large file has two parts or more.
      partSize: Math.max(MIN_PART.bytes, Math.ceil(inputs["multipart-threshold"] / 2)),
    };
    const uploaded = atomicSwitch
      ? await uploadAtomic(deps, plan, site, settings)
      : await uploadOrPutBack(deps, plan, site, previous, snapshots, settings);
    result.bytesSent = uploaded.bytesSent;
    // Atomic mode: nothing is served yet; the router goes in place, then the one write.
    if (atomicSwitch) {
      await commitAtomic(atomicSwitch, deps, clock.now() + inputs["wait-timeout"], async () => {
        const resent = await resendVanished(deps.s3, plan, settings, logger);
        for (const [key, etag] of resent) uploaded.etags.set(key, etag);
      });
    }
    // The commit point: the entry points are live. From here on, only forward: each step that
    // fails is reported (the first one is returned) and the others still run, except pruning,
    // which goes by the manifest this run wrote.
    // Each is retried through transient errors until the wait's deadline first (all of them are
    // idempotent: copies, a conditional manifest, a CallerReference, deletes): after the commit
    // point a burst of 5xx is to be ridden out, not left as work undone.
    const deadline = clock.now() + inputs["wait-timeout"];
    const tail = async (stage: AfterCommitStage, fn: () => Promise<void>) => {
      try {
        await retryTransient(`the site's ${stage} step`, fn, { clock, logger, deadline });
        return true;
      } catch (error) {
        const failure = { stage, error: error as Error };
        afterCommit ??= failure;
        logger.warning(describeAfterCommit(failure));
        return false;
      }
    };
    let manifestEtag: string | undefined;
    let manifest = plan.manifest;
    const recorded = await tail("record", async () => {
      const written = await recordUploads(
        deps.s3,
        plan,
        site,
        settings,
        conditionAfter(version),
        uploaded.etags,
      );
      manifestEtag = written.manifestEtag;
      manifest = written.manifest ?? manifest;
    });
    await tail("invalidate", async () => {
      result.invalidations = await invalidate(deps, invalidations, inputs, clock);
    });
    const written = manifest;
    if (written && recorded) {
      await tail("prune", async () => {
        result.deleted = await prune(deps.s3, site, written, logger, manifestEtag, sharedKeys);
      });
    }
  }
  result.durationMs = clock.now() - started;
  await reportPublish(result, logger);
  return { result, ...(afterCommit ? { afterCommit } : {}) };
}

/** Uploads the plan under the release's own folder: a failure leaves nothing served changed. */
async function uploadAtomic(
  deps: PublishWebDeps,
  plan: PublishPlan,
  site: SiteLocation,
  settings: ApplySettings,
): Promise<UploadResult> {
  try {
    return await uploadFiles(deps.s3, plan, site, settings, deps.logger, deps.signal);
  } catch (error) {
    throw error instanceof UploadError ? error.cause : error;
  }
}

/** Uploads the plan; entry points left half written by a failure go back to the previous ones. */
async function uploadOrPutBack(
  deps: PublishWebDeps,
  plan: PublishPlan,
  site: SiteLocation,
  previous: SiteManifest | undefined,
  snapshots: string,
  settings: ApplySettings,
): Promise<UploadResult> {
  try {
    const beforeEntryPoints = deps.beforeEntryPoints;
    return await uploadFiles(
      deps.s3,
      plan,
      site,
      settings,
      deps.logger,
      deps.signal,
      beforeEntryPoints &&
        (() => beforeEntryPoints().catch((error: Error) => deps.logger.warning(error.message))),
    );
  } catch (error) {
    if (!(error instanceof UploadError)) throw error;
    const cause = error.cause as Error;
    if (!error.duringEntryPoints) throw cause;
    deps.logger.error(`entry points half written (${cause.message}); putting the previous back`);
    try {
      await putBackEntryPoints(deps.s3, plan, previous, snapshots, settings);
    } catch (putBackError) {
      throw new SitePutBackError(
        `the entry points failed half way (${cause.message}) and putting the previous ones back failed too (${(putBackError as Error).message}): publish again or roll back`,
        { cause },
      );
    }
    throw cause;
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
