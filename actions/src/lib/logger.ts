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
