import { GitHubLogger, type Logger, TerminalLogger } from "../lib/logger";

/** Secrets the CLI may be handed through its environment; masked before anything runs. */
const SECRET_VARIABLES = [
  "GITHUB_TOKEN",
  "SHIPLINE_REGISTRY_PASSWORD",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/**
 * The CLI's logger. In a GitHub Actions `run` step it behaves like the actions: `::add-mask::`
 * for every secret before its first use, groups, annotations on failure, the job summary. Any
 * other place (CircleCI, a terminal) gets plain lines with every secret replaced by `***`.
 */
export function cliLogger(argv: string[], env: NodeJS.ProcessEnv): Logger {
  const logger =
    env.GITHUB_ACTIONS === "true"
      ? new GitHubLogger({ echoOutputs: true })
      : new TerminalLogger({ verbose: argv.includes("--verbose") || env.RUNNER_DEBUG === "1" });
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value) logger.secret(value);
  }
  return logger;
}
