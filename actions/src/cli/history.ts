import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { historyInputs } from "./command-inputs";
import { addFlags } from "./options";

export function historyCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("history")
    .description("list an environment's releases from the ledger, newest first, and its lock");
  addFlags(command, historyInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await historyInputs.read(options, env);
    const [{ showHistory }, { createS3Client }] = await Promise.all([
      import("../release/history"),
      import("../web/clients"),
    ]);
    await showHistory(inputs, {
      s3: createS3Client(
        { ...(inputs.region ? { region: inputs.region } : {}), concurrency: 8 },
        env,
      ),
      logger: logger(),
    });
  });
}
