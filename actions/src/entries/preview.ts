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
      const { runPreviewWithClients } = await import("../preview/run-with-clients");
      await runPreviewWithClients(inputs, env, logger);
    },
  );
}
