import { type InputLogger, runAction } from "../lib/action-run";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";
import { githubEventDefaults, previewRun } from "../preview/ci-defaults";
import { previewEnvironmentInputs } from "../preview/config-inputs";
import { parsePreviewInputs, previewSchema } from "../preview/inputs";

/**
 * The preview action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export async function previewActionInputs(env: NodeJS.ProcessEnv, _log: InputLogger) {
  const event = {
    ...(await githubEventDefaults(env)),
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
  };
  return parsePreviewInputs(
    mergeRawInputs(
      await previewEnvironmentInputs(env),
      ciDefaults(env),
      event,
      readActionInputs(previewSchema),
    ),
    previewRun(env),
  );
}

/** The preview GitHub Action: publish / destroy / sweep a pull request's SPA preview. */
export function previewAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => previewActionInputs(env, log),
    async (inputs, logger) => {
      // The SDK and Octokit load only once the inputs are known to be good.
      const [
        { deploymentTracker },
        { githubHost, githubRest },
        { runPreview },
        { createCloudFrontClient, createKeyValueStoreClient, createS3Client },
        { createServiceClients },
      ] = await Promise.all([
        import("../github/track"),
        import("../preview/comments"),
        import("../preview/preview"),
        import("../web/clients"),
        import("../service/clients"),
      ]);
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
    },
  );
}
