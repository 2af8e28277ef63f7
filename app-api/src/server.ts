import type { Config } from "./config";
import { loadMigrations } from "./db/migration-files";
import { migrate } from "./db/migrator";
import { openDatabase } from "./db/open";
import { addRoutes, createHttpServer } from "./http/app";

export interface RunningServer {
  /** Where the server listens, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), closes the database. */
  stop(): Promise<void>;
  log: { info(msg: string): void; error(obj: unknown, msg: string): void };
}

/** Raised for APP_FAULT=crash-on-start: a release that cannot start, on purpose. */
export class StartupFaultError extends Error {
  override name = "StartupFaultError";
}

function reachableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startServer(config: Config): Promise<RunningServer> {
  if (config.fault === "crash-on-start") {
    throw new StartupFaultError("APP_FAULT=crash-on-start: this release refuses to start");
  }
  const app = createHttpServer(config);
  const db = await openDatabase(config, (error) =>
    app.log.warn({ err: error }, "idle database connection failed"),
  );
  try {
    const migrations = await loadMigrations();
    if (config.migrateOnStart) {
      const result = await migrate(db, migrations);
      app.log.info(
        { applied: result.applied.map((m) => `${m.version}_${m.name}`), database: db.kind },
        "migrations",
      );
    }
    await addRoutes(app, { config, db, migrations });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // close() stops accepting at once and resolves when in-flight requests are done.
      const drained = app.close().then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
      });
      const finished = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (!finished) {
        app.log.warn(
          { timeoutMs: config.shutdownTimeoutMs },
          "shutdown timeout: closing connections",
        );
        app.server.closeAllConnections();
        await drained;
      }
      await db.close();
    })();
    return stopping;
  };

  return {
    url: `http://${reachableHost(config.host)}:${port}`,
    port,
    stop,
    log: {
      info: (msg) => app.log.info(msg),
      error: (obj, msg) => app.log.error(obj, msg),
    },
  };
}
