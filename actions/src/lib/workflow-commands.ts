import { EOL } from "node:os";

/*
 * The little of the Actions runtime a GitHub Action needs before its inputs are known to be good:
 * reading an input, and the workflow commands that report on them (a warning, the failure). They
 * behave as @actions/core's getInput, warning, debug and setFailed do, whose module starts
 * node:crypto and the runner's file commands when loaded: more than everything else a run that
 * rejects its inputs does (see bench/startup). Everything after validation uses @actions/core,
 * through the GitHub logger.
 */

/** An action input as the runner passes it (INPUT_<NAME>), trimmed; "" when not given. */
export function actionInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] || "").trim();
}

/** A warning annotation. */
export function warning(message: string): void {
  issue("warning", message);
}

/** A line shown only when step debug logging is on. */
export function debug(message: string): void {
  issue("debug", message);
}

/** Fails the step with an error annotation (exit code 1 unless the caller sets another). */
export function fail(message: string): void {
  process.exitCode = 1;
  issue("error", message);
}

function issue(command: string, message: string): void {
  process.stdout.write(`::${command}::${escapeData(message)}${EOL}`);
}

/** Keeps a message on the command's one line: the runner turns these escapes back. */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
