import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config";
import type { ErrorBody } from "./errors";

/**
 * Health endpoints keep answering normally under every API fault: these faults stand for the
 * release the load balancer's health checks cannot catch.
 */
const HEALTH_PATHS = new Set(["/healthz", "/readyz", "/api/healthz", "/api/readyz"]);

const isApiCall = (url: string): boolean => {
  const path = url.split("?")[0] ?? "";
  return (path === "/api" || path.startsWith("/api/")) && !HEALTH_PATHS.has(path);
};

/**
 * APP_FAULT=api-errors: every API call answers 500; APP_FAULT=slow: every API call waits
 * `faultDelayMs` first, then answers normally. Runs before routing, so unknown routes count too.
 */
export function addFaultHook(
  app: FastifyInstance,
  config: Pick<Config, "fault" | "faultDelayMs">,
): void {
  if (config.fault === "api-errors") {
    const body: ErrorBody = {
      error: { code: "internal", message: "APP_FAULT=api-errors: every API call fails on purpose" },
    };
    app.addHook("onRequest", async (request, reply) => {
      if (isApiCall(request.url)) return reply.status(500).send(body);
    });
  } else if (config.fault === "slow") {
    app.addHook("onRequest", async (request) => {
      if (isApiCall(request.url)) await sleep(config.faultDelayMs);
    });
  }
}
