import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedApi, startApi } from "../src/index";
import { call } from "./support/http";

// The faults a load balancer's health check cannot see: health passes, the API does not.
// On PGlite in memory: nothing to set up, and these tests never touch the data.
const HEALTH = ["/healthz", "/readyz", "/api/healthz", "/api/readyz"];

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

describe("APP_FAULT=api-errors", () => {
  let api: StartedApi;
  beforeAll(async () => {
    api = await startApi({ env: { APP_FAULT: "api-errors", LOG_LEVEL: "silent" } });
  });
  afterAll(() => api?.stop());

  it("health and readiness pass, at the root and under /api", async () => {
    for (const path of HEALTH) {
      expect((await call(api.url, "GET", path)).status, path).toBe(200);
    }
  });

  it.each([
    ["POST", "/api/auth/register", { email: "a@example.com", password: "correct horse" }],
    ["GET", "/api/tasks", undefined],
    ["GET", "/api/version", undefined],
    ["GET", "/api/no-such-route", undefined],
  ])("%s %s answers 500 with the JSON error shape", async (method, path, body) => {
    const answer = await call(api.url, method, path, body ? { body } : {});
    expect(answer.status).toBe(500);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.body.error).toEqual({
      code: "internal",
      message: expect.stringContaining("APP_FAULT=api-errors"),
    });
  });

  it("leaves the load balancer's own /version alone", async () => {
    const answer = await call(api.url, "GET", "/version");
    expect(answer.status).toBe(200);
    expect(answer.body.releaseId).toBe("dev");
  });
});

describe("APP_FAULT=slow", () => {
  const DELAY = 400;
  let api: StartedApi;
  beforeAll(async () => {
    api = await startApi({
      env: { APP_FAULT: "slow", APP_FAULT_DELAY_MS: String(DELAY), LOG_LEVEL: "silent" },
    });
  });
  afterAll(() => api?.stop());

  it("health endpoints answer without the delay", async () => {
    for (const path of HEALTH) {
      const { ms, value } = await timed(() => call(api.url, "GET", path));
      expect(value.status, path).toBe(200);
      expect(ms, path).toBeLessThan(DELAY);
    }
  });

  it("every API call waits the delay, then answers normally", async () => {
    const registered = await timed(() =>
      call(api.url, "POST", "/api/auth/register", {
        body: { email: "slow@example.com", password: "correct horse" },
      }),
    );
    expect(registered.value.status).toBe(201);
    // Timers may fire a millisecond early against performance.now().
    expect(registered.ms).toBeGreaterThanOrEqual(DELAY - 2);

    const token = registered.value.body.token as string;
    const listed = await timed(() => call(api.url, "GET", "/api/tasks", { token }));
    expect(listed.value.status).toBe(200);
    expect(listed.ms).toBeGreaterThanOrEqual(DELAY - 2);

    const refused = await timed(() => call(api.url, "GET", "/api/tasks"));
    expect(refused.value.status).toBe(401);
    expect(refused.ms).toBeGreaterThanOrEqual(DELAY - 2);
  });
});
