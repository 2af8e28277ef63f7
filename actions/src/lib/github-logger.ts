import * as core from "@actions/core";
import { formatTable, type Logger, type SummaryTable } from "./logger";

/**
 * The Logger of the GitHub Actions: workflow commands, step outputs and the job summary through
 * @actions/core. Its own file, so the CLI's terminal logger loads none of it.
 */
export class GitHubLogger implements Logger {
  info(message: string): void {
    core.info(message);
  }
  warning(message: string): void {
    core.warning(message);
  }
  error(message: string): void {
    core.error(message);
  }
  debug(message: string): void {
    core.debug(message);
  }
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(name, fn);
  }
  secret(value: string): void {
    core.setSecret(value);
  }
  output(name: string, value: string): void {
    core.setOutput(name, value);
  }
  async summary(table: SummaryTable): Promise<void> {
    // Runners without job summaries (older GHES, local runners) must not fail the step for it.
    if (!process.env.GITHUB_STEP_SUMMARY) {
      core.info(`${table.title}\n${formatTable(table.headers, table.rows)}`);
      return;
    }
    try {
      await core.summary
        .addHeading(table.title, 3)
        .addTable([table.headers.map((data) => ({ data, header: true })), ...table.rows])
        .write();
    } catch (error) {
      core.warning(`could not write the job summary: ${(error as Error).message}`);
    }
  }
  fail(message: string): void {
    core.setFailed(message);
  }
}
