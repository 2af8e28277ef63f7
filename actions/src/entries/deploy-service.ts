import { type InputLogger, runAction } from "../lib/action-run";
import { whileCancellable } from "../lib/cancel";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import { type Clock, systemClock } from "../lib/clock";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";
import { DEPLOY_SERVICE } from "../service/declaration";
import { deployServiceSchema, parseDeployServiceInputs } from "../service/inputs";

/** The commit, from the CI system, as the default of the "commit" input. */
export function commitDefault(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { commit: ciDefaults(env).revision };
}

/**
 * The deploy-service action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export function deployServiceActionInputs(env: NodeJS.ProcessEnv, log: InputLogger) {
  return parseDeployServiceInputs(
    mergeRawInputs(
      commitDefault(env),
      readActionInputs(deployServiceSchema, DEPLOY_SERVICE.deprecated, log),
    ),
  );
}

/** The deploy-service GitHub Action: action.yml inputs → typed inputs → deployService → outputs. */
export function deployServiceAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = systemClock,
): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => deployServiceActionInputs(env, log),
    async (inputs, logger) => {
      // The SDK loads only once the inputs are known to be good.
      const [{ createServiceClients }, { deployService }, { reportDeployService }] =
        await Promise.all([
          import("../service/clients"),
          import("../service/deploy-service"),
          import("../service/report"),
        ]);
      const settings = {
        ...(inputs.region ? { region: inputs.region } : {}),
        readOnly: inputs.dryRun,
      };
      // A cancelled job: the gate stops at once and a started rollout is sent back.
      const result = await whileCancellable(logger, (signal) =>
        deployService(inputs, { clients: createServiceClients(settings), logger, clock, signal }),
      );
      await reportDeployService(result, logger);
    },
  );
}
