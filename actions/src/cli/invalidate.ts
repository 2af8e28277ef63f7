import type { Command } from "commander";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

export const INVALIDATE_FLAGS: FlagSpec[] = [
  { name: "distribution-id", description: "CloudFront distribution", repeatable: true },
  {
    name: "paths",
    description: 'path to invalidate, e.g. "/index.html" or "/docs/*"',
    repeatable: true,
  },
  { name: "release-id", description: "makes the CallerReference repeatable (default: the commit)" },
  { name: "wait", description: "wait until the invalidations complete", switch: true },
  { name: "wait-timeout", description: "how long to wait (default 10m)" },
  { name: "region", description: "AWS region" },
];

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
