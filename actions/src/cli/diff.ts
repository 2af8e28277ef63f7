import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { readOnly } from "../lib/read-only";
import { DIFF } from "../release/diff-declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const DIFF_FLAGS: FlagSpec[] = flagsOf(DIFF);

export function diffCommand(program: Command, logger: () => Logger, env: NodeJS.ProcessEnv): void {
  const command = program
    .command("diff")
    .description(
      "show, field by field, what a deploy would change in the service's task definition (reads only)",
    );
  addFlags(command, DIFF_FLAGS).action(async (options: Record<string, unknown>) => {
    const [{ environmentRawInputs }, { parseDiffInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../release/diff-inputs"),
    ]);
    const inputs = parseDiffInputs(
      await environmentRawInputs(flagsToRawInputs(options, DIFF_FLAGS), env),
    );
    const [
      { containerBuilds },
      { loadConfig },
      { createServiceClients },
      { showTaskDefinitionDiff },
    ] = await Promise.all([
      import("../config/environment"),
      import("../config/load"),
      import("../service/clients"),
      import("../release/task-definition-diff"),
    ]);
    const builds = inputs.config
      ? containerBuilds(await loadConfig(inputs.config), inputs.environment)
      : {};
    const clients = createServiceClients(inputs.region ? { region: inputs.region } : {});
    await showTaskDefinitionDiff(inputs, builds, {
      // Read-only clients: a code path that would write fails instead of reaching AWS.
      clients: { ...clients, ecs: readOnly(clients.ecs), elb: readOnly(clients.elb) },
      logger: logger(),
      env,
      now: Date.now(),
    });
  });
}
