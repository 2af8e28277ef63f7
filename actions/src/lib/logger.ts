import * as core from "@actions/core";
import { SecretSet } from "./secrets";

/** A table shown in the GitHub job summary, or printed as aligned columns on a terminal. */
export interface SummaryTable {
  title: string;
  headers: string[];
  rows: string[][];
}

/**
 * Everything core logic may say to the outside world. Core logic never calls @actions/core or
 * console directly, so the same code runs in a GitHub Action, a CircleCI job and a terminal.
 */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group (GitHub) or under a heading (terminal). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Hides `value` from every later log line. Call it the moment a secret is known. */
  secret(value: string): void;
  /** A named result of the unit (GitHub step output; a `name=value` line on a terminal). */
  output(name: string, value: string): void;
  /** Appends a table to the job summary (GitHub) or prints it (terminal). */
  summary(table: SummaryTable): Promise<void>;
  /** Marks the whole unit as failed. Only `run()` calls this, exactly once. */
  fail(message: string): void;
}

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

export interface TerminalLoggerOptions {
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  verbose?: boolean;
}

/** Plain lines: readable in any CI log and in a terminal. Secrets are replaced by `***`. */
export class TerminalLogger implements Logger {
  private readonly secrets = new SecretSet();
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  private readonly verbose: boolean;

  constructor(options: TerminalLoggerOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
    this.verbose = options.verbose ?? false;
  }

  info(message: string): void {
    this.write(this.out, message);
  }
  warning(message: string): void {
    this.write(this.err, `warning: ${message}`);
  }
  error(message: string): void {
    this.write(this.err, `error: ${message}`);
  }
  debug(message: string): void {
    if (this.verbose) this.write(this.err, `debug: ${message}`);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.write(this.out, `== ${name}`);
    return fn();
  }
  secret(value: string): void {
    this.secrets.add(value);
  }
  output(name: string, value: string): void {
    this.write(this.out, `${name}=${value}`);
  }
  async summary(table: SummaryTable): Promise<void> {
    this.write(this.out, `\n${table.title}\n${formatTable(table.headers, table.rows)}`);
  }
  fail(message: string): void {
    this.error(message);
  }

  private write(stream: NodeJS.WritableStream, message: string): void {
    stream.write(`${this.secrets.redact(message)}\n`);
  }
}

/** Aligned columns, for terminals and plain CI logs. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}
