import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { statusInputs } from "./command-inputs";
import { addFlags } from "./options";

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
  addFlags(command, statusInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await statusInputs.read(options, env);
    const [{ releaseDeps }, { showStatus }] = await Promise.all([
      import("../release/clients"),
      import("../release/status"),
    ]);
    const deps = releaseDeps(inputs.region, logger(), env);
    await showStatus(inputs, deps);
  });
}
