import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createInterface } from "node:readline";
import { followFile } from "./follow-file";
import { waitUntil } from "./wait";

export type OutputStream = "stdout" | "stderr";

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called for every line the process writes, e.g. to show it with a prefix. */
  onLine?: (stream: OutputStream, line: string) => void;
  /**
   * Sends stdout to this file (and reads its lines from there) instead of a pipe.
   * Node's child pipes are sockets, and a process that opens /dev/stdout by name,
   * as nginx does for its access log, cannot open a socket that way.
   */
  stdoutFile?: string;
  /**
   * Starts the child in its own process group, so a Ctrl-C in the terminal reaches
   * only the parent, which then stops its children in order.
   */
  ownProcessGroup?: boolean;
}

/** A long-running child (nginx, the API) whose output is kept line by line. */
export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: Record<OutputStream, string[]>;
  /** Settles with a description of how the process ended. */
  readonly exited: Promise<string>;
  /** The first line (already written or still to come) that matches. */
  waitForLine(
    stream: OutputStream,
    matches: (line: string) => boolean,
    timeoutMs?: number,
  ): Promise<string>;
  /** Sends `signal`, waits for the exit, and kills the process if it takes too long. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

// Children still running. Whatever way this process ends, none of them outlives it:
// a child in its own process group would not get the terminal's Ctrl-C.
const running = new Set<ChildProcess>();
let cleanupInstalled = false;
function killLeftoversOnExit() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): RunningProcess {
  const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, "w");
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", stdoutFd ?? "pipe", "pipe"],
    detached: options.ownProcessGroup ?? false,
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  running.add(child);
  killLeftoversOnExit();

  const lines: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const keep = (stream: OutputStream) => (line: string) => {
    lines[stream].push(line);
    options.onLine?.(stream, line);
  };
  const following =
    options.stdoutFile === undefined ? undefined : followFile(options.stdoutFile, keep("stdout"));
  for (const stream of ["stdout", "stderr"] as const) {
    const source = child[stream];
    if (source) createInterface({ input: source }).on("line", keep(stream));
  }

  let alive = true;
  const exited = new Promise<string>((resolve) => {
    const ended = async (how: string) => {
      alive = false;
      running.delete(child);
      await following?.stop();
      const lastWords = lines.stderr.slice(-5).join("\n");
      resolve(`${name} ${how}${lastWords ? `:\n${lastWords}` : ""}`);
    };
    child.once("error", (error) => void ended(`could not start (${error.message})`));
    child.once("exit", (code, signal) => {
      void ended(signal ? `exited by ${signal}` : `exited with code ${code}`);
    });
  });

  return {
    name,
    child,
    lines,
    exited,
    waitForLine(stream, matches, timeoutMs = 5_000) {
      return waitUntil(
        `a matching line from ${name} on ${stream}`,
        async () => lines[stream].find(matches),
        { timeoutMs, intervalMs: 20 },
      );
    },
    async stop(signal = "SIGTERM", timeoutMs = 10_000) {
      if (!alive) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
