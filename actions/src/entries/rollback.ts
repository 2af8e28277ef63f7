import { environmentRawInputs } from "../config/resolve";
import { type InputLogger, runAction } from "../lib/action-run";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";
import { parseRollbackInputs, rollbackSchema } from "../release/inputs";

/**
 * The rollback action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export async function rollbackActionInputs(env: NodeJS.ProcessEnv, _log: InputLogger) {
  return parseRollbackInputs(await environmentRawInputs(readActionInputs(rollbackSchema), env));
}

/**
 * The rollback GitHub Action: action.yml inputs over the configuration file's environment →
 * rollback → outputs. The same core as `shipline rollback`.
 */
export function rollbackAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => rollbackActionInputs(env, log),
    async (inputs, logger) => {
      // The SDK and the release machinery load only once the inputs are known to be good.
      const [{ releaseDeps }, { runRollback }] = await Promise.all([
        import("../release/clients"),
        import("../release/commands"),
      ]);
      await runRollback(inputs, releaseDeps(inputs.region, logger, env));
    },
  );
}
