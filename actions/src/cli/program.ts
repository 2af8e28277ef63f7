import { Command, CommanderError } from "commander";
import { ConfigurationError, type ExitCode } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { run } from "../lib/run";
import { buildImageCommand } from "./build-image";
import { day2Commands } from "./day2-commands";
import { deployServiceCommand } from "./deploy-service";
import { diffCommand } from "./diff";
import { historyCommand } from "./history";
import { invalidateCommand } from "./invalidate";
import { cliLogger } from "./logger";
import { previewCommand } from "./preview";
import { promoteCommand } from "./promote";
import { promoteReleaseCommand } from "./promote-release";
import { publishWebCommand } from "./publish-web";
import { deployCommand, releaseIdCommand, rollbackCommand } from "./release-commands";
import { setupCommands } from "./setup-commands";
import { statusCommand } from "./status";
import { unlockCommand } from "./unlock";
import { verifyCommand } from "./verify";

/**
 * The `shipline` program: one subcommand per unit, each mapping flags onto the same typed inputs
 * as its GitHub Action. `logger` is asked for only once a command runs.
 */
export function shiplineProgram(logger: () => Logger, env: NodeJS.ProcessEnv): Command {
  const program = new Command("shipline")
    .description(
      "deploy the classic AWS web stack: images to ECR, ECS behind an ALB, S3 + CloudFront",
    )
    .option("--verbose", "debug output")
    .exitOverride()
    // run() reports the error once, with the exit code for bad input.
    .configureOutput({ outputError: () => {} });
  buildImageCommand(program, logger, env);
  promoteCommand(program, logger);
  deployServiceCommand(program, logger, env);
  publishWebCommand(program, logger, env);
  invalidateCommand(program, logger, env);
  previewCommand(program, logger, env);
  historyCommand(program, logger, env);
  statusCommand(program, logger, env);
  deployCommand(program, logger, env);
  rollbackCommand(program, logger, env);
  diffCommand(program, logger, env);
  promoteReleaseCommand(program, logger, env);
  verifyCommand(program, logger, env);
  releaseIdCommand(program, logger, env);
  unlockCommand(program, logger, env);
  day2Commands(program, logger, env);
  setupCommands(program, logger, env);
  return program;
}

/** Runs the `shipline` command line. Returns the exit code (see ExitCode). */
export async function runCli(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<ExitCode> {
  const env = options.env ?? process.env;
  const logger: Logger = options.logger ?? (await cliLogger(argv, env));
  const program = shiplineProgram(() => logger, env);
  return run(async () => {
    try {
      await program.parseAsync(argv, { from: "user" });
    } catch (error) {
      if (error instanceof CommanderError) {
        // --help and --version end here too, with exit code 0.
        if (error.exitCode === 0) return;
        throw new ConfigurationError(error.message.replace(/^error: /, ""));
      }
      throw error;
    }
  }, logger);
}
