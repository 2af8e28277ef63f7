import { type Logger, TerminalLogger } from "../lib/logger";

/** Secrets the CLI may be handed through its environment. */
const SECRET_VARIABLES = [
  "GITHUB_TOKEN",
  "SHIPLINE_REGISTRY_PASSWORD",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/**
 * The CLI's logger. In a GitHub Actions `run` step it behaves like the actions: `::add-mask::`
 * for every secret it obtains or derives before its first use, groups, annotations on failure,
 * the job summary. Any other place (CircleCI, a terminal) gets plain lines with every secret
 * replaced by `***`. Secrets from the environment are removed from every line on both; on GitHub
 * the runner masks them already (they come from `secrets.*`, the run's token or the credentials
 * action), so they are not announced again.
 */
export async function cliLogger(argv: string[], env: NodeJS.ProcessEnv): Promise<Logger> {
  const fromEnv = SECRET_VARIABLES.flatMap((name) => (env[name] ? [env[name]] : []));
  if (env.GITHUB_ACTIONS === "true") {
    // @actions/core loads only where it is used: a terminal or CircleCI run never pays for it.
    const { GitHubLogger } = await import("../lib/github-logger");
    return new GitHubLogger({ echoOutputs: true, runnerMasked: fromEnv });
  }
  const logger = new TerminalLogger({
    verbose: argv.includes("--verbose") || env.RUNNER_DEBUG === "1",
  });
  for (const value of fromEnv) logger.secret(value);
  return logger;
}
