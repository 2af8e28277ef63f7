import { environmentRawInputs } from "../config/resolve";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger } from "../lib/github-logger";
import type { Logger } from "../lib/logger";
import { run } from "../lib/run";
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
    // The SDK and the release machinery load only once the inputs are known to be good.
    const [{ containerBuilds }, { loadConfig }, { releaseDeps }, { deploy }] = await Promise.all([
      import("../config/environment"),
      import("../config/load"),
      import("../release/clients"),
      import("../release/deploy"),
    ]);
    const builds = inputs.config
      ? containerBuilds(await loadConfig(inputs.config), inputs.environment)
      : {};
    const record = await deploy(inputs, builds, releaseDeps(inputs.region, logger, env));
    logger.output("release-id", record.id);
    logger.output("task-definition-arn", record.taskDefinitionArn ?? "");
    logger.output(
      "images",
      Object.entries(record.images)
        .map(([container, image]) => `${container}=${image.uri}`)
        .join("\n"),
    );
    await logger.summary({
      title: `Release ${record.id} is live in ${inputs.environment}`,
      headers: ["step", "status", "seconds"],
      rows: record.steps.map((step) => [
        step.name,
        step.status,
        (step.durationMs / 1000).toFixed(1),
      ]),
    });
  }, logger);
}
