import { deploymentTracker } from "../github/track";
import type { Logger } from "../lib/logger";
import { createServiceClients } from "../service/clients";
import { createCloudFrontClient, createKeyValueStoreClient, createS3Client } from "../web/clients";
import { githubHost, githubRest } from "./comments";
import type { PreviewInputs } from "./inputs";
import { runPreview } from "./preview";

/**
 * A preview run with its AWS clients (read-only in a dry run) and, when a token and repository
 * are known, its pull request comment and GitHub deployment: what the action and the CLI both
 * run once the inputs are good. Loaded lazily by both, so the SDK and Octokit never load for
 * inputs that are refused.
 */
export async function runPreviewWithClients(
  inputs: PreviewInputs,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<void> {
  const region = {
    ...(inputs.publish.region ? { region: inputs.publish.region } : {}),
    readOnly: inputs.publish["dry-run"],
  };
  const host =
    inputs.githubToken && inputs.repository
      ? githubHost(githubRest(inputs.githubToken, inputs.repository, env.GITHUB_API_URL))
      : undefined;
  const deployments = deploymentTracker(env, logger, inputs);
  await runPreview(inputs, {
    ...(deployments ? { deployments } : {}),
    logger,
    s3: createS3Client({ ...region, concurrency: inputs.publish.concurrency }, env),
    cloudfront: () => createCloudFrontClient(region),
    keyValueStore: () => createKeyValueStoreClient(region),
    serviceClients: () => createServiceClients(region),
    ...(host ? { host } : {}),
  });
}
