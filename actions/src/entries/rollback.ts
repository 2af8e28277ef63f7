import { environmentRawInputs } from "../config/resolve";
import { runAction } from "../lib/action-run";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";
import { parseRollbackInputs, rollbackSchema } from "../release/inputs";

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
    async () =>
      parseRollbackInputs(await environmentRawInputs(readActionInputs(rollbackSchema), env)),
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
