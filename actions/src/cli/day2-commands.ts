import type { Command } from "commander";
import { LOGS, REDEPLOY, RUN, SCALE } from "../day2/declarations";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const REDEPLOY_FLAGS: FlagSpec[] = flagsOf(REDEPLOY);
const SCALE_FLAGS: FlagSpec[] = flagsOf(SCALE);
const RUN_FLAGS: FlagSpec[] = flagsOf(RUN);
const LOGS_FLAGS: FlagSpec[] = flagsOf(LOGS);

/** The raw inputs of a command on an environment: the configuration file's, then the flags. */
async function rawInputs(
  options: Record<string, unknown>,
  flags: FlagSpec[],
  env: NodeJS.ProcessEnv,
) {
  const { environmentRawInputs } = await import("../config/resolve");
  return environmentRawInputs(flagsToRawInputs(options, flags), env);
}

/** The everyday commands on a running environment: redeploy, scale, run, logs. */
export function day2Commands(program: Command, logger: () => Logger, env: NodeJS.ProcessEnv): void {
  addFlags(
    program
      .command("redeploy")
      .description(
        "new tasks of the revision that is live (after a secret rotation), gated like a release's rollout, under the environment's lock, recorded on the live release",
      ),
    REDEPLOY_FLAGS,
  ).action(async (options: Record<string, unknown>) => {
    const { parseRedeployInputs } = await import("../day2/inputs");
    const inputs = parseRedeployInputs(await rawInputs(options, REDEPLOY_FLAGS, env));
    const { runRedeploy } = await import("../day2/commands");
    await runRedeploy(inputs, logger(), env);
  });

  addFlags(
    program
      .command("scale")
      .description(
        "set the service's desired count: gated when scaling up, under the environment's lock, recorded on the live release",
      ),
    SCALE_FLAGS,
  ).action(async (options: Record<string, unknown>) => {
    const { parseScaleInputs } = await import("../day2/inputs");
    const inputs = parseScaleInputs(await rawInputs(options, SCALE_FLAGS, env));
    const { runScale } = await import("../day2/commands");
    await runScale(inputs, logger(), env);
  });

  addFlags(
    program
      .command("run")
      .description(
        "run a one-off command in a task of the live task definition (the service's network), print its output, exit with its exit code: shipline run -- COMMAND...",
      )
      .argument("[command...]", "the command and its arguments, after --"),
    RUN_FLAGS,
  ).action(async (command: string[], options: Record<string, unknown>) => {
    const { parseRunInputs } = await import("../day2/inputs");
    const inputs = parseRunInputs(await rawInputs(options, RUN_FLAGS, env), command);
    const { runTask } = await import("../day2/commands");
    await runTask(inputs, logger(), env);
  });

  addFlags(
    program
      .command("logs")
      .description(
        "the service's log lines by task and container, from the live task definition's awslogs streams; --follow until Ctrl-C",
      ),
    LOGS_FLAGS,
  ).action(async (options: Record<string, unknown>) => {
    const { parseLogsInputs } = await import("../day2/inputs");
    const inputs = parseLogsInputs(await rawInputs(options, LOGS_FLAGS, env));
    const { runLogs } = await import("../day2/commands");
    await runLogs(inputs, logger(), env);
  });
}
