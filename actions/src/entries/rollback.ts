import { environmentRawInputs } from "../config/resolve";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger } from "../lib/github-logger";
import type { Logger } from "../lib/logger";
import { run } from "../lib/run";
import { parseRollbackInputs, rollbackSchema } from "../release/inputs";

/**
 * The rollback GitHub Action: action.yml inputs over the configuration file's environment →
 * rollback → outputs. The same core as `shipline rollback`.
 */
export function rollbackAction(
  logger: Logger = new GitHubLogger(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return run(async () => {
    const inputs = parseRollbackInputs(
      await environmentRawInputs(readActionInputs(rollbackSchema), env),
    );
    // The SDK and the release machinery load only once the inputs are known to be good.
    const [{ releaseDeps }, { runRollback }] = await Promise.all([
      import("../release/clients"),
      import("../release/commands"),
    ]);
    await runRollback(inputs, releaseDeps(inputs.region, logger, env));
  }, logger);
}
