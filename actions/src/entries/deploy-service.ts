import { whileCancellable } from "../lib/cancel";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import { type Clock, systemClock } from "../lib/clock";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
import { run } from "../lib/run";
import { createServiceClients } from "../service/clients";
import { deployService } from "../service/deploy-service";
import { deployServiceSchema, parseDeployServiceInputs } from "../service/inputs";
import { reportDeployService } from "../service/report";

/** The commit, from the CI system, as the default of the "commit" input. */
export function commitDefault(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { commit: ciDefaults(env).revision };
}

/** The deploy-service GitHub Action: action.yml inputs → typed inputs → deployService → outputs. */
export function deployServiceAction(
  logger: Logger = new GitHubLogger(),
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = systemClock,
): Promise<ExitCode> {
  return run(async () => {
    const inputs = parseDeployServiceInputs(
      mergeRawInputs(commitDefault(env), readActionInputs(deployServiceSchema)),
    );
    const settings = {
      ...(inputs.region ? { region: inputs.region } : {}),
      readOnly: inputs.dryRun,
    };
    // A cancelled job: the gate stops at once and a started rollout is sent back.
    const result = await whileCancellable(logger, (signal) =>
      deployService(inputs, { clients: createServiceClients(settings), logger, clock, signal }),
    );
    await reportDeployService(result, logger);
  }, logger);
}
