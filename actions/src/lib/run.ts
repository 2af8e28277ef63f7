import { ExitCode, ShiplineError } from "./errors";
import type { Logger } from "./logger";

/**
 * Runs one unit of work and turns its outcome into an exit code. This is the only place that
 * marks a unit as failed, so `fail` (core.setFailed) is called at most once.
 * It sets process.exitCode rather than calling process.exit, so pending output is flushed.
 */
export async function run(
  main: () => Promise<void>,
  logger: Pick<Logger, "fail" | "debug">,
): Promise<ExitCode> {
  try {
    await main();
    return ExitCode.Success;
  } catch (error) {
    // An error of ours already says what went wrong and carries its exit code. Anything else is
    // classified by explainError, loaded only then: it reads the SDK's retry rules (the SDK's
    // core), which a run that rejects its inputs or prints its help never needs.
    const explained =
      error instanceof ShiplineError
        ? error
        : (await import("./explain-error")).explainError(error);
    const code = explained?.exitCode ?? ExitCode.Bug;
    logger.fail(explained?.message ?? bugMessage(error));
    if (!explained && error instanceof Error && error.stack) logger.debug(error.stack);
    process.exitCode = code;
    return code;
  }
}

function bugMessage(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  // Not the user's fault: say so, so nobody spends time re-checking their inputs.
  return `unexpected error (a bug, or an unexpected answer from a remote service): ${detail}`;
}
