import { type ChildProcess, spawn } from "node:child_process";

export interface NodeChild {
  process: ChildProcess;
  /** Everything written so far to stdout and stderr, line by line. */
  output: string[];
  /** Resolves with the first line matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node <script>` in `cwd` with only PATH and `env`: nothing leaks in from the test's environment. */
export function runNode(cwd: string, script: string, env: Record<string, string>): NodeChild {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      output.push(...lines);
      for (const wake of waiters) wake();
    });
  };
  if (child.stdout) collect(child.stdout);
  if (child.stderr) collect(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output.find((l) => pattern.test(l));
        if (line !== undefined) {
          done();
          resolve(line);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`exited before printing ${pattern}:\n${output.join("\n")}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output.join("\n")}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return { process: child, output, waitForLine, exited };
}
