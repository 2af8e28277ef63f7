import * as core from "@actions/core";
import { formatTable, type Logger, type SummaryTable } from "./logger";
import { SecretSet } from "./secrets";

/*
 * The Logger of the GitHub Actions (and of the CLI in a GitHub `run` step): workflow commands,
 * step outputs and the job summary through @actions/core. Its own file, so the CLI's terminal
 * logger loads none of it.
 */

export interface GitHubLoggerOptions {
  /**
   * Also print each output as a `name=value` line: the CLI in a `run` step, whose outputs are
   * read from the log as on any other system (and written to GITHUB_OUTPUT when there is one).
   */
  echoOutputs?: boolean;
  /**
   * Values the runner masks already (its token, `secrets.*`, the keys the credentials action
   * exported): removed from every line here too, without a second `::add-mask::`, which would
   * land in the output of commands whose stdout is read, such as `shipline release-id`.
   */
  runnerMasked?: string[];
}

/** GitHub Actions: masks, groups, annotations, step outputs and the job summary. */
export class GitHubLogger implements Logger {
  private readonly secrets = new SecretSet();
  /** The values `::add-mask::` was sent for. */
  private readonly announced = new Set<string>();
  private readonly echoOutputs: boolean;

  constructor(options: GitHubLoggerOptions = {}) {
    this.echoOutputs = options.echoOutputs ?? false;
    for (const value of options.runnerMasked ?? []) this.secrets.add(value);
  }

  info(message: string): void {
    core.info(this.redact(message));
  }
  warning(message: string): void {
    core.warning(this.redact(message));
  }
  error(message: string): void {
    core.error(this.redact(message));
  }
  debug(message: string): void {
    core.debug(this.redact(message));
  }
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(this.redact(name), fn);
  }
  secret(value: string): void {
    // `::add-mask::` once per value, before anything else can print it.
    this.secrets.add(value);
    if (!value || this.announced.has(value)) return;
    this.announced.add(value);
    core.setSecret(value);
  }
  output(name: string, value: string): void {
    const safe = this.redact(value);
    if (this.echoOutputs) {
      core.info(`${name}=${safe}`);
      // Without a GITHUB_OUTPUT file, core would fall back to the retired set-output command.
      if (process.env.GITHUB_OUTPUT) core.setOutput(name, safe);
      return;
    }
    core.setOutput(name, safe);
  }
  async summary(table: SummaryTable): Promise<void> {
    const title = this.redact(table.title);
    const rows = table.rows.map((row) => row.map((cell) => this.redact(cell)));
    // Runners without job summaries (older GHES, local runners) must not fail the step for it.
    if (!process.env.GITHUB_STEP_SUMMARY) {
      core.info(`${title}\n${formatTable(table.headers, rows)}`);
      return;
    }
    try {
      await core.summary
        .addHeading(title, 3)
        .addTable([table.headers.map((data) => ({ data, header: true })), ...rows])
        .write();
    } catch (error) {
      core.warning(`could not write the job summary: ${(error as Error).message}`);
    }
  }
  fail(message: string): void {
    core.setFailed(this.redact(message));
  }

  private redact(text: string): string {
    return this.secrets.redact(text);
  }
}
