import { type Env, loadConfig } from "./config";
import { startServer } from "./server";

export { type Config, ConfigError, loadConfig } from "./config";

export interface StartApiOptions {
  /** Default 127.0.0.1 (not the container default 0.0.0.0: in-process use is for tests and demos). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * The environment the service reads its configuration from (see config.ts). Default: none, i.e.
   * PGlite in memory, migrations applied at start. `process.env` is not read.
   */
  env?: Record<string, string | undefined>;
}

export interface StartedApi {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): Promise<void>;
}

/** Starts the real API in this process; resolves once it listens. */
export async function startApi(options: StartApiOptions = {}): Promise<StartedApi> {
  const env: Env = {
    ...options.env,
    HOST: options.host ?? options.env?.HOST ?? "127.0.0.1",
    PORT: String(options.port ?? options.env?.PORT ?? 0),
  };
  const server = await startServer(loadConfig(env));
  return { url: server.url, stop: server.stop };
}
