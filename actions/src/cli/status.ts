import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { ENVIRONMENT_FLAGS } from "./history";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

const STATUS_FLAGS: FlagSpec[] = [
  ...ENVIRONMENT_FLAGS,
  { name: "cluster", description: "ECS cluster" },
  { name: "service", description: "ECS service" },
  { name: "dry-run", description: "report only; record nothing", switch: true },
];

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
