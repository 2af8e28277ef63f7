import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { sleepQuery } from "../bodies";

/** Only with ENABLE_DEBUG_ROUTES=1: a request that takes as long as asked, to test draining. */
export function debugRoutes(app: FastifyInstance) {
  app.get("/api/debug/sleep", async (request) => {
    const { ms } = sleepQuery.parse(request.query);
    request.log.info({ ms }, "sleep started");
    await sleep(ms);
    return { slept: ms };
  });
}
