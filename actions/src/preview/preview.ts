import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import { type DeploymentTracker, previewEnvironment, tracked } from "../github/track";
import type { SiteLocation } from "../ledger/site";
import type { Clock } from "../lib/clock";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { publishWeb } from "../web/publish-web";
import type { PublishResult } from "../web/report";
import { hostPreviews } from "../web/shared-sites";
import { pushPreviewImages } from "./api-images";
import {
  type PreviewApiRemoval,
  type PreviewApiResult,
  publishPreviewApi,
  removePreviewApi,
} from "./api-service";
import { type PullRequestHost, previewCommentBody } from "./comments";
import { applyDestroy, type DestroyResult, planDestroy, reportDestroyPlan } from "./destroy";
import { destroyHostPreview, hostPublishDeps } from "./host-preview";
import { type PreviewInputs, previewBasePath, previewPrefix } from "./inputs";
import { publishedPreviewApis, publishedPreviews, stalePreviews } from "./sweep";

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
  /** ECS, ELBv2 and ECR, for a preview's own API (input api); created only then. */
  serviceClients?: () => Pick<ServiceClients, "ecs" | "elb" | "ecr">;
  signal?: AbortSignal;
}

export type PreviewResult =
  | { command: "publish"; publish: PublishResult; comment: string; api?: PreviewApiResult }
  | { command: "destroy"; destroyed: DestroyResult; api?: PreviewApiRemoval }
  | { command: "sweep"; destroyed: DestroyResult[]; kept: number[]; apis: PreviewApiRemoval[] }
  | { command: "base-path"; basePath: string };

function apiClients(deps: PreviewDeps): Pick<ServiceClients, "ecs" | "elb" | "ecr"> {
  if (!deps.serviceClients) throw new Error("a preview's API needs ECS, ELBv2 and ECR clients");
  return deps.serviceClients();
}

/**
 * The pull request's own API, before its page (as a release rolls the API before the SPA, so a
 * page never calls an API older than itself): images pushed from the build job's layouts when
 * given, then the service, its target group and host rule, gated.
 */
async function publishApi(
  inputs: PreviewInputs,
  deps: PreviewDeps,
): Promise<PreviewApiResult | undefined> {
  const api = inputs.api;
  if (!api) return undefined;
  const clients = apiClients(deps);
  const dryRun = inputs.publish["dry-run"];
  const pushed = api.imageLayouts
    ? await pushPreviewImages(
        api.imageLayouts,
        api.containers,
        inputs.publish["release-id"] ?? `pr-${inputs.pullRequest}`,
        { ecr: () => clients.ecr, logger: deps.logger, dryRun },
      )
    : [];
  const images = [
    ...pushed,
    ...api.images.filter((image) => !pushed.some((other) => other.container === image.container)),
  ];
  const result = await publishPreviewApi(
    {
      cluster: api.cluster,
      service: api.service,
      pullRequest: inputs.pullRequest,
      domain: api.domain,
      images,
      environment: api.environment,
      gate: api.gate,
      dryRun,
    },
    {
      clients,
      logger: deps.logger,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
  deps.logger.output("api-service", result.names.service);
  deps.logger.output("api-host", result.names.host);
  return result;
}

function removeApi(
  inputs: PreviewInputs,
  pullRequest: number,
  deps: PreviewDeps,
): Promise<PreviewApiRemoval> | undefined {
  const api = inputs.api;
  if (!api) return undefined;
  return removePreviewApi(
    {
      cluster: api.cluster,
      service: api.service,
      pullRequest,
      domain: api.domain,
      dryRun: inputs.publish["dry-run"],
    },
    { clients: apiClients(deps), logger: deps.logger },
  );
}

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
    const api = await publishApi(inputs, deps);
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
    return { command: "publish", publish, comment, ...(api ? { api } : {}) };
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
    const api = await removeApi(inputs, inputs.pullRequest, deps);
    const destroyed = await destroy(inputs.pullRequest);
    await deps.deployments?.deactivate(previewEnvironment(inputs.pullRequest));
    logger.output("deleted", String(destroyed.deleted));
    logger.output("invalidation-id", destroyed.invalidationIds.join(","));
    return { command: "destroy", destroyed, ...(api ? { api } : {}) };
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
  // A publish killed between its API and its page leaves an API without a site: found too.
  const withApi = inputs.api
    ? await publishedPreviewApis(apiClients(deps).ecs, inputs.api.cluster, inputs.api.service)
    : [];
  const open = inputs.openPullRequests ?? (await openFromHost(deps.host));
  const stale = stalePreviews(
    [...new Set([...published, ...withApi])].sort((a, b) => a - b),
    open,
  );
  logger.info(`previews: ${published.length} published, ${stale.length} of closed pull requests`);
  const destroyed: DestroyResult[] = [];
  const apis: PreviewApiRemoval[] = [];
  for (const pr of stale) {
    const api = await removeApi(inputs, pr, deps);
    if (api) apis.push(api);
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
  return {
    command: "sweep",
    destroyed,
    kept: published.filter((pr) => !stale.includes(pr)),
    apis,
  };
}

async function openFromHost(host: PullRequestHost | undefined): Promise<number[]> {
  if (!host) {
    throw new ConfigurationError(
      'sweep needs "open-pull-requests", or "github-token" and "repository"',
    );
  }
  return host.openPullRequests();
}
