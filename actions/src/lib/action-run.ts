import type { ExitCode } from "./errors";
import type { Logger } from "./logger";
import { run } from "./run";
import * as commands from "./workflow-commands";

/** All a GitHub Action may say while it reads its inputs: warnings about them. */
export type InputLogger = Pick<Logger, "warning">;

/**
 * Runs a GitHub Action in two steps: `validate` reads and checks its inputs with only the input
 * parsers and the runner's workflow commands loaded; then `main` runs with the GitHub logger
 * (@actions/core). A run that rejects its inputs thus never loads @actions/core, and reports
 * exactly as the GitHub logger would (an error annotation naming the input, exit code 4).
 * `logger`: the logger of the whole run (tests); the GitHub logger when absent.
 */
export function runAction<T>(
  logger: Logger | undefined,
  validate: (log: InputLogger) => T | Promise<T>,
  main: (inputs: T, logger: Logger) => Promise<void>,
): Promise<ExitCode> {
  let current = logger;
  return run(
    async () => {
      const inputs = await validate(current ?? commands);
      current ??= new (await import("./github-logger")).GitHubLogger();
      await main(inputs, current);
    },
    {
      fail: (message) => (current ?? commands).fail(message),
      debug: (message) => (current ?? commands).debug(message),
    },
  );
}
