import { environmentRawInputs } from "../config/resolve";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
import { run } from "../lib/run";
import { releaseDeps } from "../release/clients";
import { runRollback } from "../release/commands";
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
    await runRollback(inputs, releaseDeps(inputs.region, logger, env));
  }, logger);
}
