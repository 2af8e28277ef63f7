import { spawn } from "node:child_process";
import { vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { TerminalLogger } from "../../src/lib/logger";
import { REPO_ROOT } from "../helpers/fixtures";

/** How a run of `shipline` ended: its exit code, or the signal that ended its process. */
export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface ShiplineRun {
  /** The output so far. */
  output(): string;
  /** Sends a signal to the run's own process (a spawned run only). */
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<RunEnd>;
}

export interface RunSettings {
  args: string[];
  env: Record<string, string>;
  /**
   * Its own process (from the sources, as a CI job runs the CLI), for runs that receive
   * signals; otherwise in this process, which is quicker (no start-up of its own).
   */
  spawned: boolean;
  /** Sees each line of output as it is written, e.g. to place a fault at a precise moment. */
  onLine?: (line: string, run: ShiplineRun) => void;
}

/** Runs `shipline <args>` with the given environment (localcloud's endpoints, the CI's ids). */
export function runShipline(settings: RunSettings): ShiplineRun {
  return settings.spawned ? spawned(settings) : inProcess(settings);
}

function lineSplitter(settings: RunSettings, run: () => ShiplineRun, lines: string[]) {
  let partial = "";
  return (chunk: string) => {
    partial += chunk;
    const complete = partial.split("\n");
    partial = complete.pop() ?? "";
    for (const line of complete) {
      lines.push(line);
      settings.onLine?.(line, run());
    }
  };
}

function spawned(settings: RunSettings): ShiplineRun {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "actions/src/cli/main.ts", ...settings.args],
    { cwd: REPO_ROOT, env: { ...process.env, ...settings.env } },
  );
  const lines: string[] = [];
  const run: ShiplineRun = {
    output: () => lines.join("\n"),
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    done: new Promise((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal, output: lines.join("\n") })),
    ),
  };
  const split = lineSplitter(settings, () => run, lines);
  child.stdout?.on("data", (chunk: Buffer) => split(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => split(chunk.toString()));
  return run;
}

function inProcess(settings: RunSettings): ShiplineRun {
  const lines: string[] = [];
  const split = lineSplitter(settings, () => run, lines);
  const stream = {
    write: (chunk: string) => {
      split(`${chunk}${chunk.endsWith("\n") ? "" : "\n"}`);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const run: ShiplineRun = {
    output: () => lines.join("\n"),
    kill: () => {
      throw new Error("a run in this process takes no signals: spawn it");
    },
    // Started once `run` exists: its first lines may come before runCli's first await.
    done: Promise.resolve().then(async () => {
      // The SDK reads the endpoints and credentials from the process's environment.
      for (const [name, value] of Object.entries(settings.env)) vi.stubEnv(name, value);
      try {
        const code = await runCli(settings.args, {
          env: settings.env,
          logger: new TerminalLogger({ out: stream, err: stream }),
        });
        return { code, signal: null, output: lines.join("\n") };
      } finally {
        vi.unstubAllEnvs();
      }
    }),
  };
  return run;
}
