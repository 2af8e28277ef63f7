import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../src/index";
import { call } from "./support/http";

const base = { LOG_LEVEL: "silent" };

describe("API over HTTP (PGlite)", () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    api = await startApi({ env: base });
  });
  afterAll(() => api?.stop());

  it("registers, signs in and lists tasks", async () => {
    const reg = await call(api.url, "POST", "/api/auth/register", {
      body: { email: "Ann@example.com", password: "correct horse" },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user.email).toBe("ann@example.com");
    const tasks = await call(api.url, "GET", "/api/tasks", { token: reg.body.token });
    expect(tasks).toMatchObject({ status: 200, body: { tasks: [] } });
  });
});
