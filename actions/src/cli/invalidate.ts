import type { Command } from "commander";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { INVALIDATE } from "../web/invalidate-declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const INVALIDATE_FLAGS: FlagSpec[] = flagsOf(INVALIDATE);

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
  addFlags(command, INVALIDATE_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const { parseInvalidateInputs } = await import("../web/invalidate-inputs");
    const inputs = parseInvalidateInputs(
      mergeRawInputs(ciDefaults(env), flagsToRawInputs(options, INVALIDATE_FLAGS)),
    );
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
