import type { Command } from "commander";
import { whileCancellable } from "../lib/cancel";
import type { Logger } from "../lib/logger";
import { deployServiceInputs } from "./command-inputs";
import { addFlags } from "./options";

export function deployServiceCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("deploy-service")
    .description(
      "roll an ECS service to new images, gated on its load balancer's health, rolled back on failure",
    );
  addFlags(command, deployServiceInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await deployServiceInputs.read(options, env, logger());
    const [{ createServiceClients }, { deployService }, { reportDeployService }, { liveTable }] =
      await Promise.all([
        import("../service/clients"),
        import("../service/deploy-service"),
        import("../service/report"),
        import("../service/view"),
      ]);
    const log = logger();
    // A live table on an interactive terminal; one line per change anywhere else (CI logs).
    const live = process.stdout.isTTY === true && !env.CI;
    const result = await whileCancellable(log, (signal) =>
      deployService(inputs, {
        clients: createServiceClients({
          ...(inputs.region ? { region: inputs.region } : {}),
          readOnly: inputs.dryRun,
        }),
        logger: log,
        signal,
        ...(live ? { view: () => liveTable(process.stdout) } : {}),
      }),
    );
    await reportDeployService(result, log);
  });
}
