import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

/** Flags of every command that works on an environment (the config file fills the rest). */
export const ENVIRONMENT_FLAGS: FlagSpec[] = [
  { name: "config", description: "configuration file (default shipline.yml when present)" },
  {
    name: "environment",
    description: "environment in the configuration file (default production)",
  },
  { name: "bucket", description: "the deploy bucket holding the ledger" },
  {
    name: "ledger-prefix",
    description: "reserved prefix of shipline's records (default .shipline/)",
  },
  { name: "region", description: "AWS region (default: the SDK's, e.g. AWS_REGION)" },
];

const HISTORY_FLAGS: FlagSpec[] = [
  ...ENVIRONMENT_FLAGS,
  { name: "limit", description: "how many releases to show (default 20)" },
];

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
