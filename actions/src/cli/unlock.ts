import type { Command } from "commander";
import { systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { unlockInputs } from "./command-inputs";
import { addFlags } from "./options";

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
  addFlags(command, unlockInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await unlockInputs.read(options, env);
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
