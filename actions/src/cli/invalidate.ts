import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { invalidateInputs } from "./command-inputs";
import { addFlags } from "./options";

export function invalidateCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("invalidate")
    .description(
      "invalidate paths on CloudFront distributions (backs off when busy, waits with a timeout)",
    );
  addFlags(command, invalidateInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await invalidateInputs.read(options, env);
    const [{ createCloudFrontClient }, { runInvalidate }] = await Promise.all([
      import("../web/clients"),
      import("../web/invalidate-unit"),
    ]);
    await runInvalidate(inputs, {
      cloudfront: createCloudFrontClient(inputs.region ? { region: inputs.region } : {}),
      logger: logger(),
    });
  });
}
