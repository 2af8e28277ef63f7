import { ExitCode, exitCodeOf, ShiplineError } from "./errors";
import type { Logger } from "./logger";

/**
 * Runs one unit of work and turns its outcome into an exit code. This is the only place that
 * marks a unit as failed, so `fail` (core.setFailed) is called at most once.
 * It sets process.exitCode rather than calling process.exit, so pending output is flushed.
 */
export async function run(main: () => Promise<void>, logger: Logger): Promise<ExitCode> {
  try {
    await main();
    return ExitCode.Success;
  } catch (error) {
    const code = exitCodeOf(error);
    logger.fail(failureMessage(error));
    if (!(error instanceof ShiplineError) && error instanceof Error && error.stack) {
      logger.debug(error.stack);
    }
    process.exitCode = code;
    return code;
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof ShiplineError) return error.message;
  const detail = error instanceof Error ? error.message : String(error);
  // Not the user's fault: say so, so nobody spends time re-checking their inputs.
  return `unexpected error (a bug, or an unexpected answer from a remote service): ${detail}`;
}
