import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, startApi } from "../src/index";
import { type Backend, postgres } from "./support/backends";
import { call } from "./support/http";

describe("configuration", () => {
  it("has defaults for a container: port 3000 on all interfaces, embedded database", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: undefined,
      fault: "none",
      faultDelayMs: 2000,
      migrateOnStart: true,
      debugRoutes: false,
    });
  });

  it("migrates on start by default only for the embedded database", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db" }).migrateOnStart).toBe(false);
    expect(
      loadConfig({ DATABASE_URL: "postgres://u@h/db", MIGRATE_ON_START: "1" }).migrateOnStart,
    ).toBe(true);
  });

  it.each([
    [{ PORT: "eighty" }, /PORT="eighty": expected an integer between 0 and 65535/],
    [{ PORT: "70000" }, /PORT="70000"/],
    [{ SESSION_TTL_HOURS: "0" }, /SESSION_TTL_HOURS="0": expected an integer/],
    [
      { APP_FAULT: "explode" },
      /APP_FAULT="explode": expected one of none, unhealthy, crash-on-start, api-errors, slow/,
    ],
    [{ APP_FAULT_DELAY_MS: "-1" }, /APP_FAULT_DELAY_MS="-1": expected an integer between 0/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL="loud": expected one of/],
    [
      { ENABLE_DEBUG_ROUTES: "yes" },
      /ENABLE_DEBUG_ROUTES="yes": expected "1", "0", "true" or "false"/,
    ],
  ])("%j is refused with a message naming it", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("names DATABASE_URL without echoing it (it may hold a password)", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://root:hunter2@db/app" })).toThrow(
      /DATABASE_URL: expected a URL like postgres:\/\//,
    );
    expect(() => loadConfig({ DATABASE_URL: "mysql://root:hunter2@db/app" })).not.toThrow(
      /hunter2/,
    );
  });

  it("reports every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "x", APP_FAULT: "y" })).toThrow(/PORT="x".*; APP_FAULT="y"/);
  });
});

describe("APP_FAULT", () => {
  // On the PostgreSQL server: it starts in a fraction of the CPU time the embedded database takes.
  let backend: Backend;
  beforeAll(async () => {
    backend = await postgres.create();
  });
  afterAll(() => backend?.teardown());

  it("unhealthy: liveness answers 503 (both paths) while the rest works", async () => {
    const api = await startApi({
      env: { ...backend.env, APP_FAULT: "unhealthy", LOG_LEVEL: "silent" },
    });
    try {
      for (const path of ["/healthz", "/api/healthz"]) {
        const answer = await call(api.url, "GET", path);
        expect(answer.status).toBe(503);
        expect(answer.body.reason).toContain("APP_FAULT=unhealthy");
      }
      expect((await call(api.url, "GET", "/readyz")).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  it("crash-on-start: the server refuses to start", async () => {
    await expect(
      startApi({ env: { APP_FAULT: "crash-on-start", LOG_LEVEL: "silent" } }),
    ).rejects.toThrow(/APP_FAULT=crash-on-start/);
  });
});
