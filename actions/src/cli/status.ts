import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { STATUS } from "../release/declarations";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const STATUS_FLAGS: FlagSpec[] = flagsOf(STATUS);

export function statusCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("status")
    .description(
      "what the service and the site really serve, against the ledger; settles records a dead run left behind (never touches the service or the site); exit 1 when they serve different releases",
    );
  addFlags(command, STATUS_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const [{ environmentRawInputs }, { parseStatusInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../release/inputs"),
    ]);
    const inputs = parseStatusInputs(
      await environmentRawInputs(flagsToRawInputs(options, STATUS_FLAGS), env),
    );
    const [{ releaseDeps }, { showStatus }] = await Promise.all([
      import("../release/clients"),
      import("../release/status"),
    ]);
    const deps = releaseDeps(inputs.region, logger(), env);
    await showStatus(inputs, deps);
  });
}
