import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../src/index";
import { type Backend, postgres } from "./support/backends";
import { call } from "./support/http";

describe("database outage (PostgreSQL server)", () => {
  let backend: Backend;
  let api: Awaited<ReturnType<typeof startApi>>;

  beforeAll(async () => {
    backend = await postgres.create();
    api = await startApi({ env: { ...backend.env, LOG_LEVEL: "silent" } });
  });
  afterAll(async () => {
    await api?.stop();
    await backend?.teardown();
  });

  it("/readyz answers 503 with the reason while the server is down, liveness stays 200", async () => {
    const server = backend.server;
    if (!server) throw new Error("postgres backend without a server");
    expect((await call(api.url, "GET", "/readyz")).status).toBe(200);

    await server.stop();
    try {
      for (const prefix of ["", "/api"]) {
        const down = await call(api.url, "GET", `${prefix}/readyz`);
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({
          status: "not-ready",
          reason: expect.stringMatching(/^database unreachable/),
        });
      }
      expect((await call(api.url, "GET", "/healthz")).status).toBe(200);
    } finally {
      await server.start();
    }

    // The pool reconnects on its own once the server is back.
    const back = await call(api.url, "GET", "/readyz");
    expect(back).toMatchObject({ status: 200, body: { status: "ready" } });
    const reg = await call(api.url, "POST", "/api/auth/register", {
      body: { email: "after-outage@example.com", password: "correct horse" },
    });
    expect(reg.status).toBe(201);
  });
});
