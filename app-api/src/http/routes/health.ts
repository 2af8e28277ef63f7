import type { FastifyInstance } from "fastify";
import { pendingMigrations } from "../../db/migrator";
import type { AppContext } from "../context";

async function notReadyReason({ db, migrations }: AppContext): Promise<string | undefined> {
  try {
    await db.query("SELECT 1");
  } catch (error) {
    return `database unreachable: ${(error as Error).message}`;
  }
  try {
    const pending = await pendingMigrations(db, migrations);
    if (pending.length > 0) return `migrations not applied: ${pending.join(", ")}`;
  } catch (error) {
    return `cannot read schema_migrations: ${(error as Error).message}`;
  }
  return undefined;
}

/** Liveness, readiness and version, at the root (load balancer) and under /api (through the CDN). */
export function healthRoutes(app: FastifyInstance, context: AppContext) {
  const { config } = context;
  for (const prefix of ["", "/api"]) {
    // Liveness does no I/O: a slow database must not get healthy tasks killed.
    app.get(`${prefix}/healthz`, async (_request, reply) => {
      if (config.fault === "unhealthy") {
        return reply.status(503).send({ status: "unhealthy", reason: "APP_FAULT=unhealthy" });
      }
      return { status: "ok" };
    });

    app.get(`${prefix}/readyz`, async (_request, reply) => {
      const reason = await notReadyReason(context);
      if (reason) return reply.status(503).send({ status: "not-ready", reason });
      return { status: "ready" };
    });

    app.get(`${prefix}/version`, async () => ({
      releaseId: config.releaseId,
      commit: config.commit,
      builtAt: config.builtAt,
    }));
  }
}
