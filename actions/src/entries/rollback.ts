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
    const [{ releaseDeps }, { rollback }] = await Promise.all([
      import("../release/clients"),
      import("../release/rollback"),
    ]);
    const record = await rollback(inputs, releaseDeps(inputs.region, logger, env));
    logger.output("release-id", record.id);
    logger.output("restored", record.restores ?? "");
    logger.output("task-definition-arn", record.taskDefinitionArn ?? "");
    await logger.summary({
      title: `Rolled back ${inputs.environment} to ${record.restores}`,
      headers: ["step", "status", "seconds"],
      rows: record.steps.map((step) => [
        step.name,
        step.status,
        (step.durationMs / 1000).toFixed(1),
      ]),
    });
  }, logger);
}
