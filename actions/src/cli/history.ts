import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { HISTORY } from "../release/declarations";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const HISTORY_FLAGS: FlagSpec[] = flagsOf(HISTORY);

export function historyCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("history")
    .description("list an environment's releases from the ledger, newest first, and its lock");
  addFlags(command, HISTORY_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const [{ environmentRawInputs }, { parseHistoryInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../release/inputs"),
    ]);
    const inputs = parseHistoryInputs(
      await environmentRawInputs(flagsToRawInputs(options, HISTORY_FLAGS), env),
    );
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
