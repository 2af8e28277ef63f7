import { containerBuilds } from "../config/environment";
import { loadConfig } from "../config/load";
import { environmentRawInputs } from "../config/resolve";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
import { run } from "../lib/run";
import { releaseDeps } from "../release/clients";
import { runDeploy } from "../release/commands";
import { deploySchema, parseDeployInputs } from "../release/inputs";

/**
 * The deploy GitHub Action: action.yml inputs over the configuration file's environment →
 * deploy → outputs and a job summary. The same core as `shipline deploy`.
 */
export function deployAction(
  logger: Logger = new GitHubLogger(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return run(async () => {
    const inputs = parseDeployInputs(
      await environmentRawInputs(readActionInputs(deploySchema), env),
    );
    const builds = inputs.config
      ? containerBuilds(await loadConfig(inputs.config), inputs.environment)
      : {};
    await runDeploy(inputs, builds, releaseDeps(inputs.region, logger, env));
  }, logger);
}
