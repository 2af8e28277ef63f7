import { environmentRawInputs } from "../config/resolve";
import { type InputLogger, runAction } from "../lib/action-run";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";
import { deploySchema, parseDeployInputs } from "../release/inputs";

/**
 * The deploy action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export async function deployActionInputs(env: NodeJS.ProcessEnv, _log: InputLogger) {
  return parseDeployInputs(await environmentRawInputs(readActionInputs(deploySchema), env));
}

/**
 * The deploy GitHub Action: action.yml inputs over the configuration file's environment →
 * deploy → outputs and a job summary. The same core as `shipline deploy`.
 */
export function deployAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => deployActionInputs(env, log),
    async (inputs, logger) => {
      // The SDK and the release machinery load only once the inputs are known to be good.
      const [{ containerBuilds }, { loadConfig }, { releaseDeps }, { runDeploy }] =
        await Promise.all([
          import("../config/environment"),
          import("../config/load"),
          import("../release/clients"),
          import("../release/commands"),
        ]);
      const builds = inputs.config
        ? containerBuilds(await loadConfig(inputs.config), inputs.environment)
        : {};
      await runDeploy(inputs, builds, releaseDeps(inputs.region, logger, env));
    },
  );
}
