import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Rejects early with this reason's message, e.g. when the server process exited. */
  abort?: Promise<string>;
}

/** Polls `check` until it returns a value other than undefined, within a time bound. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let aborted: string | undefined;
  void options.abort?.then((reason) => {
    aborted = reason;
  });
  for (;;) {
    if (aborted !== undefined) throw new Error(`gave up waiting for ${what}: ${aborted}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until something accepts TCP connections on host:port. */
export function waitForPort(host: string, port: number, options: WaitOptions): Promise<true> {
  return waitUntil(
    `${host}:${port} to accept connections`,
    async () => ((await accepts(host, port)) ? true : undefined),
    options,
  );
}
