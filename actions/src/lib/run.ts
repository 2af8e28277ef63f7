import { ExitCode } from "./errors";
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
    // Loaded on failure only: the classifier reads the SDK's retry rules, which a run that
    // rejects its inputs or prints its help never needs.
    const { explainError } = await import("./explain-error");
    const explained = explainError(error);
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
