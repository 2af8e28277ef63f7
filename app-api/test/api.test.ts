import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../src/index";
import { BACKENDS, type Backend } from "./support/backends";
import { call } from "./support/http";

let counter = 0;
const newEmail = () => `user${++counter}-${Date.now()}@example.com`;

describe.each(BACKENDS)("API over HTTP on $name", (factory) => {
  let backend: Backend;
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;

  beforeAll(async () => {
    backend = await factory.create();
    api = await startApi({ env: { ...backend.env, LOG_LEVEL: "silent", RELEASE_ID: "r-42" } });
    url = api.url;
  });
  afterAll(async () => {
    await api?.stop();
    await backend?.teardown();
  });

  async function register(email = newEmail(), password = "correct horse") {
    const answer = await call(url, "POST", "/api/auth/register", { body: { email, password } });
    expect(answer.status).toBe(201);
    return {
      email,
      password,
      token: answer.body.token as string,
      id: answer.body.user.id as string,
    };
  }

  describe("auth", () => {
    it("registers: 201 with the user and a token, also set as an HttpOnly cookie", async () => {
      const answer = await call(url, "POST", "/api/auth/register", {
        body: { email: "  Mixed.Case@Example.com ", password: "correct horse" },
      });
      expect(answer.status).toBe(201);
      expect(answer.body.user).toEqual({ id: expect.any(String), email: "mixed.case@example.com" });
      expect(answer.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const cookie = answer.headers.get("set-cookie") ?? "";
      expect(cookie).toContain(`sid=${answer.body.token}`);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Path=\//);
    });

    it("refuses a second account for the same email (any case): 409", async () => {
      const { email } = await register();
      const again = await call(url, "POST", "/api/auth/register", {
        body: { email: email.toUpperCase(), password: "another pass" },
      });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: "email_taken", field: "email" });
    });

    it("signs in with the right password and not with a wrong one", async () => {
      const { email, password, id } = await register();
      const ok = await call(url, "POST", "/api/auth/login", { body: { email, password } });
      expect(ok.status).toBe(200);
      expect(ok.body.user).toEqual({ id, email });
      expect(ok.body.token).toEqual(expect.any(String));

      const wrong = await call(url, "POST", "/api/auth/login", {
        body: { email, password: `${password}!` },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe("invalid_credentials");

      const unknown = await call(url, "POST", "/api/auth/login", {
        body: { email: newEmail(), password },
      });
      expect(unknown.status).toBe(401);
    });

    it("GET /api/me answers by Bearer token or by cookie, 401 without", async () => {
      const { token, id, email } = await register();
      const byBearer = await call(url, "GET", "/api/me", { token });
      expect(byBearer).toMatchObject({ status: 200, body: { user: { id, email } } });
      const byCookie = await call(url, "GET", "/api/me", { cookie: `sid=${token}` });
      expect(byCookie.body.user.id).toBe(id);

      const anonymous = await call(url, "GET", "/api/me");
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe("unauthenticated");
      const forged = await call(url, "GET", "/api/me", { token: "x".repeat(43) });
      expect(forged.status).toBe(401);
    });

    it("logout ends the session (204) and clears the cookie", async () => {
      const { token } = await register();
      const out = await call(url, "POST", "/api/auth/logout", { token });
      expect(out.status).toBe(204);
      expect(out.headers.get("set-cookie")).toMatch(/sid=;.*Max-Age=0/);
      expect((await call(url, "GET", "/api/me", { token })).status).toBe(401);
      expect((await call(url, "GET", "/api/tasks", { token })).status).toBe(401);
    });
  });

  describe("tasks", () => {
    it("creates, lists in creation order, updates and deletes the owner's tasks", async () => {
      const { token } = await register();
      const first = await call(url, "POST", "/api/tasks", {
        token,
        body: { title: "write the deploy", dueDate: "2026-03-01" },
      });
      expect(first.status).toBe(201);
      expect(first.body.task).toEqual({
        id: expect.any(String),
        title: "write the deploy",
        status: "todo",
        dueDate: "2026-03-01",
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: first.body.task.createdAt,
      });
      const second = await call(url, "POST", "/api/tasks", { token, body: { title: "ship it" } });
      expect(second.body.task.dueDate).toBeNull();

      const list = await call(url, "GET", "/api/tasks", { token });
      expect(list.body.tasks.map((t: { title: string }) => t.title)).toEqual([
        "write the deploy",
        "ship it",
      ]);

      const done = await call(url, "PATCH", `/api/tasks/${first.body.task.id}`, {
        token,
        body: { status: "done", dueDate: null },
      });
      expect(done.status).toBe(200);
      expect(done.body.task).toMatchObject({
        title: "write the deploy",
        status: "done",
        dueDate: null,
      });
      expect(done.body.task.updatedAt >= done.body.task.createdAt).toBe(true);

      const renamed = await call(url, "PATCH", `/api/tasks/${first.body.task.id}`, {
        token,
        body: { title: "wrote the deploy" },
      });
      expect(renamed.body.task).toMatchObject({ title: "wrote the deploy", status: "done" });

      const removed = await call(url, "DELETE", `/api/tasks/${second.body.task.id}`, { token });
      expect(removed.status).toBe(204);
      const after = await call(url, "GET", "/api/tasks", { token });
      expect(after.body.tasks.map((t: { id: string }) => t.id)).toEqual([first.body.task.id]);
    });

    it("keeps each user's tasks private: another owner's id is 404 for GET, PATCH and DELETE", async () => {
      const ann = await register();
      const bob = await register();
      const created = await call(url, "POST", "/api/tasks", {
        token: ann.token,
        body: { title: "ann's secret" },
      });
      const id = created.body.task.id as string;

      expect((await call(url, "GET", "/api/tasks", { token: bob.token })).body.tasks).toEqual([]);
      const read = await call(url, "GET", `/api/tasks/${id}`, { token: bob.token });
      expect(read.status).toBe(404);
      expect(read.body.error.code).toBe("not_found");
      const patch = await call(url, "PATCH", `/api/tasks/${id}`, {
        token: bob.token,
        body: { status: "done" },
      });
      expect(patch.status).toBe(404);
      const del = await call(url, "DELETE", `/api/tasks/${id}`, { token: bob.token });
      expect(del.status).toBe(404);

      const still = await call(url, "GET", `/api/tasks/${id}`, { token: ann.token });
      expect(still.body.task).toMatchObject({ title: "ann's secret", status: "todo" });
    });

    it("answers 404 for ids that do not exist or are not ids at all", async () => {
      const { token } = await register();
      const missing = "00000000-0000-4000-8000-000000000000";
      expect((await call(url, "PATCH", `/api/tasks/${missing}`, { token, body: {} })).status).toBe(
        404,
      );
      expect((await call(url, "DELETE", "/api/tasks/not-a-uuid", { token })).status).toBe(404);
    });

    it("requires a session: 401 without one", async () => {
      const answer = await call(url, "POST", "/api/tasks", { body: { title: "x" } });
      expect(answer.status).toBe(401);
    });
  });

  describe("bad input answers 400 naming the field", () => {
    let token: string;
    beforeAll(async () => {
      token = (await register()).token;
    });

    it.each([
      ["/api/auth/register", { password: "long enough" }, "email"],
      ["/api/auth/register", { email: "not-an-email", password: "long enough" }, "email"],
      ["/api/auth/register", { email: "a@example.com", password: "short" }, "password"],
      ["/api/auth/login", { email: "a@example.com" }, "password"],
    ])("POST %s %j → field %s", async (path, body, field) => {
      const answer = await call(url, "POST", path, { body });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: "invalid_input", field });
      expect(answer.body.error.message).toContain(field);
    });

    it.each([
      [{}, "title"],
      [{ title: "   " }, "title"],
      [{ title: "ok", dueDate: "2026-02-30" }, "dueDate"],
      [{ title: "ok", dueDate: "tomorrow" }, "dueDate"],
    ])("POST /api/tasks %j → field %s", async (body, field) => {
      const answer = await call(url, "POST", "/api/tasks", { token, body });
      expect(answer.status).toBe(400);
      expect(answer.body.error.field).toBe(field);
    });

    it("PATCH with a bad status names status", async () => {
      const created = await call(url, "POST", "/api/tasks", { token, body: { title: "t" } });
      const answer = await call(url, "PATCH", `/api/tasks/${created.body.task.id}`, {
        token,
        body: { status: "doing" },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.field).toBe("status");
    });

    it("a body that is not a JSON object is refused as a whole", async () => {
      const answer = await call(url, "POST", "/api/tasks", { token, body: ["title"] });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({
        code: "invalid_input",
        message: "expected a JSON object as the request body",
      });
    });

    it("malformed JSON is a 400 in the same error shape", async () => {
      const response = await fetch(`${url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("invalid_json");
    });
  });

  describe("health", () => {
    it.each(["", "/api"])("%s/healthz, /readyz and /version answer", async (prefix) => {
      expect(await call(url, "GET", `${prefix}/healthz`)).toMatchObject({ status: 200 });
      expect(await call(url, "GET", `${prefix}/readyz`)).toMatchObject({
        status: 200,
        body: { status: "ready" },
      });
      const version = await call(url, "GET", `${prefix}/version`);
      expect(version.body).toEqual({ releaseId: "r-42", commit: "unknown", builtAt: null });
    });

    it("unknown routes are 404 in the error shape", async () => {
      const answer = await call(url, "GET", "/api/nope");
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe("not_found");
    });
  });
});
