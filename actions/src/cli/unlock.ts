import type { Command } from "commander";
import { environmentRawInputs } from "../config/resolve";
import { systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { parseUnlockInputs, unlock } from "../release/unlock";
import { createS3Client } from "../web/clients";
import { ENVIRONMENT_FLAGS } from "./history";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

const UNLOCK_FLAGS: FlagSpec[] = [
  ...ENVIRONMENT_FLAGS,
  {
    name: "force",
    description: "remove the lock even while its holder is still renewing it",
    switch: true,
  },
  {
    name: "dry-run",
    description: "show the holder and what would happen, remove nothing",
    switch: true,
  },
];

export function unlockCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("unlock")
    .description(
      "show who holds an environment's lock and remove it (refused while the holder is still heartbeating, unless --force)",
    );
  addFlags(command, UNLOCK_FLAGS).action(async (options: Record<string, unknown>) => {
    const inputs = parseUnlockInputs(
      await environmentRawInputs(flagsToRawInputs(options, UNLOCK_FLAGS), env),
    );
    const outcome = await unlock(inputs, {
      s3: createS3Client(
        { ...(inputs.region ? { region: inputs.region } : {}), concurrency: 1 },
        env,
      ),
      clock: systemClock,
      logger: logger(),
    });
    logger().output("outcome", outcome);
  });
}
