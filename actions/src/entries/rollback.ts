import { environmentRawInputs } from "../config/resolve";
import { trackRelease } from "../github/track";
import { whileCancellable } from "../lib/cancel";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
import { run } from "../lib/run";
import { releaseDeps } from "../release/clients";
import { parseRollbackInputs, rollbackSchema } from "../release/inputs";
import { reportRelease } from "../release/report";
import { rollback } from "../release/rollback";

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
    // A cancelled job gets SIGINT, then SIGTERM: both stop the release at its next safe point.
    const record = await trackRelease("rollback", inputs, env, logger, () =>
      whileCancellable(logger, (signal) =>
        rollback(inputs, releaseDeps(inputs.region, logger, env, signal)),
      ),
    );
    await reportRelease("rollback", record, inputs.environment, logger);
  }, logger);
}
