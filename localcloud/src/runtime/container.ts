import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, mkdir, rm, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import { releaseMount } from "./container-rootfs";
import { CannotStartContainerError } from "./errors";
import { run } from "./exec";
import { LogBuffer, type LogLine } from "./logs";
import { forget } from "./resources";

export interface ExitStatus {
  /** The process's exit code; 128 + n when signal n ended it, as docker and ECS report. */
  exitCode: number;
  /** The signal that ended the process, if one did. */
  signal?: NodeJS.Signals;
}

export interface ExecResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

const PID_FILE_POLL_MS = 10;
const START_TIMEOUT_MS = 15_000;

function signalName(exitCode: number): NodeJS.Signals | undefined {
  if (exitCode <= 128) return undefined;
  const entry = Object.entries(constants.signals).find(([, number]) => number === exitCode - 128);
  return entry?.[0] as NodeJS.Signals | undefined;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export function runcArgs(stateDir: string, args: string[]): string[] {
  return ["--root", join(stateDir, "runc"), ...args];
}

/** A running (or finished) container: one `runc run` in the foreground. */
export class Container {
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly stateDir: string,
    child: ChildProcess,
    private readonly logBuffer: LogBuffer,
    cleanup: () => Promise<void>,
  ) {
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once("close", async (code, signal) => {
        await this.logBuffer.drained();
        const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 9);
        const status: ExitStatus = { exitCode };
        const ended = signalName(exitCode);
        if (ended) status.signal = ended;
        await cleanup().catch(() => {});
        this.exitStatus = status;
        resolve(status);
      });
    });
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  logs(): LogLine[] {
    return this.logBuffer.all();
  }

  private runc(args: string[], timeoutMs?: number) {
    return run("runc", runcArgs(this.stateDir, args), { allowFailure: true, timeoutMs });
  }

  /** Sends `signal`; after `timeoutMs` without an exit, SIGKILL (ECS's stopTimeout, 30 s default). */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    await this.runc(["kill", this.id, signal]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first === "timeout") await this.runc(["kill", "--all", this.id, "SIGKILL"]);
    return this.exited;
  }

  /** Runs a command inside the running container (health checks), with its env, user and cwd. */
  async exec(args: string[], timeoutMs: number): Promise<ExecResult> {
    const result = await run("runc", runcArgs(this.stateDir, ["exec", this.id, ...args]), {
      allowFailure: true,
      timeoutMs,
    });
    return {
      exitCode: result.code,
      output: result.stdout + result.stderr,
      timedOut: result.timedOut,
    };
  }
}

export interface LaunchOptions {
  stateDir: string;
  name: string;
  containerDir: string;
  bundleDir: string;
  runtimeSpec: Record<string, unknown>;
  rootfsMount?: string;
  onLog?: (line: LogLine) => void;
  logLimit?: number;
}

export function containerId(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 40);
  return `${safe}-${randomBytes(4).toString("hex")}`;
}

/**
 * Starts `runc run` in the foreground and resolves once the container process is running (runc
 * has written its pid file); a container runc refuses to start rejects with runc's own words.
 */
export async function launch(id: string, options: LaunchOptions): Promise<Container> {
  const { stateDir, bundleDir } = options;
  await mkdir(join(stateDir, "runc"), { recursive: true, mode: 0o700 });
  await writeFile(join(bundleDir, "config.json"), JSON.stringify(options.runtimeSpec, null, 2));
  const pidFile = join(options.containerDir, "pid");
  const child = spawn(
    "runc",
    runcArgs(stateDir, ["run", "--bundle", bundleDir, "--pid-file", pidFile, id]),
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const logs = new LogBuffer(options.logLimit, options.onLog);
  if (child.stdout) logs.follow(child.stdout, "stdout");
  if (child.stderr) logs.follow(child.stderr, "stderr");
  const cleanup = async () => {
    await run("runc", runcArgs(stateDir, ["delete", "--force", id]), { allowFailure: true });
    await forget(stateDir, { kind: "container", id });
    if (options.rootfsMount) await releaseMount(stateDir, options.rootfsMount);
    await rm(options.containerDir, { recursive: true, force: true });
    await forget(stateDir, { kind: "dir", path: options.containerDir });
  };
  const container = new Container(id, options.name, stateDir, child, logs, cleanup);
  const started = Date.now();
  while (true) {
    if (!container.running) {
      const status = await container.exited;
      // runc exited before the process ran: it could not start it (bad executable, bad cwd...).
      throw new CannotStartContainerError(runcFailure(logs.all(), status.exitCode));
    }
    if (await exists(pidFile)) return container;
    if (Date.now() - started > START_TIMEOUT_MS) {
      await container.stop("SIGKILL", 1_000);
      throw new Error(`container ${options.name} did not start within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, PID_FILE_POLL_MS));
  }
}

/** runc's own reason (its `msg="..."` log field), e.g. `exec: "x": executable file not found in $PATH`. */
export function runcFailure(lines: LogLine[], exitCode: number): string {
  const text = lines.map((line) => line.message).join("\n");
  const quoted = /msg="((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  if (quoted) return quoted.replace(/\\(.)/g, "$1");
  return text.trim() || `runc exited with ${exitCode} before the container started`;
}
