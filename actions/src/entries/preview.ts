import { context } from "@actions/github";
import { deploymentTracker } from "../github/track";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
import { run } from "../lib/run";
import { previewRun } from "../preview/ci-defaults";
import { githubHost, githubRest } from "../preview/comments";
import { parsePreviewInputs, previewSchema } from "../preview/inputs";
import { runPreview } from "../preview/preview";
import { createCloudFrontClient, createS3Client } from "../web/clients";

/** The preview GitHub Action: publish / destroy / sweep a pull request's SPA preview. */
export function previewAction(
  logger: Logger = new GitHubLogger(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return run(async () => {
    const event = {
      ...(context.payload.pull_request?.number
        ? { "pull-request": String(context.payload.pull_request.number) }
        : {}),
      ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    };
    const inputs = parsePreviewInputs(
      mergeRawInputs(ciDefaults(env), event, readActionInputs(previewSchema)),
      previewRun(env),
    );
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
      ...(host ? { host } : {}),
    });
  }, logger);
}
