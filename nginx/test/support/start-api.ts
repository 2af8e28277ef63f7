import type { RunningProcess, StartOptions } from "../../src/child-process";
import { startProcess } from "../../src/child-process";
import { waitForPort } from "../../src/wait";

export interface StartApiOptions extends Pick<StartOptions, "onLine" | "ownProcessGroup"> {
  /** dist/server.mjs of an API build. */
  serverFile: string;
  port: number;
  /** The embedded database's folder; absent keeps it in memory. */
  dataDir?: string;
  /** More settings for the API (RELEASE_ID, APP_FAULT, …). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs the API bundle as the container would, on loopback, with the embedded database. */
export async function startApi(options: StartApiOptions): Promise<RunningProcess> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOST: "127.0.0.1",
    PORT: String(options.port),
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...options.env,
  };
  const api = startProcess("api", process.execPath, [options.serverFile], {
    env,
    onLine: options.onLine,
    ownProcessGroup: options.ownProcessGroup,
  });
  try {
    await waitForPort("127.0.0.1", options.port, {
      timeoutMs: options.timeoutMs ?? 60_000,
      abort: api.exited,
    });
  } catch (error) {
    await api.stop("SIGKILL");
    throw error;
  }
  return api;
}
