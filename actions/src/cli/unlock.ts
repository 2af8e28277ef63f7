import type { Command } from "commander";
import { systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { UNLOCK } from "../release/declarations";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const UNLOCK_FLAGS: FlagSpec[] = flagsOf(UNLOCK);

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
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const [{ environmentRawInputs }, { parseUnlockInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../release/inputs"),
    ]);
    const inputs = parseUnlockInputs(
      await environmentRawInputs(flagsToRawInputs(options, UNLOCK_FLAGS), env),
    );
    const [{ unlock }, { createS3Client }] = await Promise.all([
      import("../release/unlock"),
      import("../web/clients"),
    ]);
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
