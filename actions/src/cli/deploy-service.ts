import type { Command } from "commander";
import { whileCancellable } from "../lib/cancel";
import { mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { DEPLOY_SERVICE } from "../service/declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const DEPLOY_SERVICE_FLAGS: FlagSpec[] = flagsOf(DEPLOY_SERVICE);

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
  addFlags(command, DEPLOY_SERVICE_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const [{ commitDefault }, { parseDeployServiceInputs }] = await Promise.all([
      import("../entries/deploy-service"),
      import("../service/inputs"),
    ]);
    const inputs = parseDeployServiceInputs(
      mergeRawInputs(commitDefault(env), flagsToRawInputs(options, DEPLOY_SERVICE_FLAGS, logger())),
    );
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
