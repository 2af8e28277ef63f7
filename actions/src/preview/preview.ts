import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import { type DeploymentTracker, previewEnvironment, tracked } from "../github/track";
import type { SiteLocation } from "../ledger/site";
import type { Clock } from "../lib/clock";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { publishWeb } from "../web/publish-web";
import type { PublishResult } from "../web/report";
import { hostPreviews } from "../web/shared-sites";
import { type PullRequestHost, previewCommentBody } from "./comments";
import { applyDestroy, type DestroyResult, planDestroy, reportDestroyPlan } from "./destroy";
import { destroyHostPreview, hostPublishDeps } from "./host-preview";
import { type PreviewInputs, previewBasePath, previewPrefix } from "./inputs";
import { publishedPreviews, stalePreviews } from "./sweep";

export interface PreviewDeps {
  s3: S3Client;
  cloudfront: () => CloudFrontClient;
  /** The key value store's data plane (host previews). */
  keyValueStore?: () => CloudFrontKeyValueStoreClient;
  logger: Logger;
  /** The code host, when there is one to comment on / ask (GitHub with a token). */
  host?: PullRequestHost;
  /** Records a GitHub deployment per preview (and marks it inactive when it goes). */
  deployments?: DeploymentTracker;
  clock?: Clock;
  invalidationTimings?: { backoffMs?: number; maxBackoffMs?: number; pollMs?: number };
}

export type PreviewResult =
  | { command: "publish"; publish: PublishResult; comment: string }
  | { command: "destroy"; destroyed: DestroyResult }
  | { command: "sweep"; destroyed: DestroyResult[]; kept: number[] }
  | { command: "base-path"; basePath: string };

/**
 * publish | destroy | sweep, all through the same engine as publish-web: at the preview's own
 * host in web-mode atomic, under previews/pr-<n>/ in web-mode invalidate. base-path prints where
 * the preview's build is served, for its build step.
 */
export async function runPreview(inputs: PreviewInputs, deps: PreviewDeps): Promise<PreviewResult> {
  const { logger } = deps;
  if (inputs.command === "base-path") {
    const basePath = previewBasePath(inputs);
    logger.info(basePath);
    return { command: "base-path", basePath };
  }
  if (inputs.command === "publish") {
    const publishDeps =
      inputs.mode === "host" ? { ...deps, ...hostPublishDeps(inputs, deps.s3) } : deps;
    const publish = inputs.publish["dry-run"]
      ? await publishWeb(inputs.publish, publishDeps)
      : await tracked(
          deps.deployments,
          {
            environment: previewEnvironment(inputs.pullRequest),
            description: `shipline preview of #${inputs.pullRequest}`,
            preview: true,
          },
          () => publishWeb(inputs.publish, publishDeps),
          (result) => result.url,
        );
    let comment = "skipped";
    if (inputs.comment && deps.host && !inputs.publish["dry-run"]) {
      // The preview is published by now: a comment GitHub refuses (a bad or read-only token)
      // must not fail a job whose work is done, only say why the pull request shows no link.
      comment = await deps.host
        .upsertComment(
          inputs.pullRequest,
          previewCommentBody({
            ...(publish.url ? { url: publish.url } : {}),
            releaseId: publish.releaseId,
            uploaded: publish.totals.uploaded,
            skipped: publish.totals.skipped,
          }),
        )
        .catch((error: Error) => {
          logger.warning(
            `the preview is published, but commenting on pull request #${inputs.pullRequest} failed (${error.message}): check that the GitHub token may write pull request comments`,
          );
          return "failed" as const;
        });
    }
    logger.output("comment", comment);
    return { command: "publish", publish, comment };
  }
  const site = (prefix: string): SiteLocation => ({
    bucket: inputs.publish.bucket,
    prefix,
    ledgerPrefix: inputs.publish["ledger-prefix"],
  });
  const dryRun = inputs.publish["dry-run"];
  const plan = (pr: number) =>
    planDestroy(
      site(previewPrefix(inputs.previewsPrefix, pr)),
      {
        distributionIds: inputs.publish.invalidate ? inputs.publish["distribution-id"] : [],
        deleteLimit: inputs.publish["delete-limit"],
        releaseLabel: `pr-${pr}`,
      },
      deps,
    );
  // Every removal is planned first; a dry run reports the plans and never reaches applyDestroy.
  const destroy = async (pr: number): Promise<DestroyResult> => {
    if (inputs.mode === "host") return destroyHostPreview(inputs, pr, deps);
    const planned = await plan(pr);
    if (dryRun) {
      reportDestroyPlan(planned, logger);
      return { prefix: planned.site.prefix, deleted: 0, invalidationIds: [] };
    }
    return applyDestroy(
      planned,
      { wait: inputs.publish.wait, waitTimeoutMs: inputs.publish["wait-timeout"] },
      deps,
    );
  };
  if (inputs.command === "destroy") {
    const destroyed = await destroy(inputs.pullRequest);
    await deps.deployments?.deactivate(previewEnvironment(inputs.pullRequest));
    logger.output("deleted", String(destroyed.deleted));
    logger.output("invalidation-id", destroyed.invalidationIds.join(","));
    return { command: "destroy", destroyed };
  }
  const published =
    inputs.mode === "host"
      ? await hostPreviews(deps.s3, inputs.publish.bucket, inputs.ledgerPrefix)
      : await publishedPreviews(
          deps.s3,
          inputs.publish.bucket,
          inputs.publish["ledger-prefix"],
          inputs.previewsPrefix,
        );
  const open = inputs.openPullRequests ?? (await openFromHost(deps.host));
  const stale = stalePreviews(published, open);
  logger.info(`previews: ${published.length} published, ${stale.length} of closed pull requests`);
  const destroyed: DestroyResult[] = [];
  for (const pr of stale) {
    destroyed.push(await destroy(pr));
    await deps.deployments?.deactivate(previewEnvironment(pr));
  }
  logger.output("removed", stale.join(","));
  logger.output("deleted", String(destroyed.reduce((total, item) => total + item.deleted, 0)));
  await logger.summary({
    title: "Preview sweep",
    headers: ["pull request", "prefix", "objects deleted"],
    rows: destroyed.map((item, i) => [`#${stale[i]}`, item.prefix, String(item.deleted)]),
  });
  return { command: "sweep", destroyed, kept: published.filter((pr) => !stale.includes(pr)) };
}

async function openFromHost(host: PullRequestHost | undefined): Promise<number[]> {
  if (!host) {
    throw new ConfigurationError(
      'sweep needs "open-pull-requests", or "github-token" and "repository"',
    );
  }
  return host.openPullRequests();
}
