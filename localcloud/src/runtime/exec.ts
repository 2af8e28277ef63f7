import { spawn } from "node:child_process";
import { constants } from "node:os";

export interface RunResult {
  /** Exit code; 128 + n when signal n ended the program. */
  code: number;
  stdout: string;
  stderr: string;
  /** true when the program was killed for running past `timeoutMs`. */
  timedOut: boolean;
}

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly result: RunResult,
  ) {
    super(
      `${command.join(" ")} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = "CommandError";
  }
}

/** Runs a program without a shell; throws a CommandError on a non-zero exit unless `allowFailure`. */
export function run(
  program: string,
  args: string[],
  options: { allowFailure?: boolean; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? "ignore" : "pipe";
    const child = spawn(program, args, { stdio: [stdin, "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const signalNumber = signal ? (constants.signals[signal] ?? 9) : 1;
      const result = { code: code ?? 128 + signalNumber, stdout, stderr, timedOut };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new CommandError([program, ...args], result));
      } else {
        resolve(result);
      }
    });
    if (child.stdin) {
      // A program that exits without reading its input must not crash us with EPIPE.
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
  });
}
