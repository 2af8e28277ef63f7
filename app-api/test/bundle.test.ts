import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApi } from "../scripts/build-api";
import { type NodeChild, runNode } from "./support/child";
import { call } from "./support/http";
import { createPostgres, type PostgresServer } from "./support/postgres";

const PACKAGE_DIR = resolve(import.meta.dirname, "..");

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(dir, path)));
    else files.push(path);
  }
  return files.sort();
}

/** Polls (bounded) until the port refuses new TCP connections; false if it never does. */
async function becomesRefusing(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await refusesConnections(port)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** True when the port refuses a new TCP connection. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolvePromise(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resolvePromise(error.code === "ECONNREFUSED"),
    );
  });
}

describe("the bundle (dist/)", () => {
  let first: string;
  let second: string;
  const children: NodeChild[] = [];

  beforeAll(async () => {
    first = await mkdtemp(join(tmpdir(), "app-api-dist-a-"));
    second = await mkdtemp(join(tmpdir(), "app-api-dist-b-"));
    await buildApi({ outDir: first });
    await buildApi({ outDir: second });
  });
  afterAll(async () => {
    for (const child of children) child.process.kill("SIGKILL");
    await rm(first, { recursive: true, force: true });
    await rm(second, { recursive: true, force: true });
  });

  const start = (script: string, env: Record<string, string>) => {
    const child = runNode(first, script, env);
    children.push(child);
    return child;
  };

  it("is deterministic: two builds give identical bytes, with no absolute paths inside", async () => {
    const files = await listFiles(first);
    expect(files).toEqual(await listFiles(second));
    expect(files).toEqual(
      expect.arrayContaining([
        "server.mjs",
        "migrate.mjs",
        "pglite.wasm",
        "pglite.data",
        "migrations/0001_init.sql",
      ]),
    );
    for (const file of files) {
      const [a, b] = await Promise.all([readFile(join(first, file)), readFile(join(second, file))]);
      expect(a.equals(b), file).toBe(true);
    }
    for (const bundle of ["server.mjs", "migrate.mjs"]) {
      const text = await readFile(join(first, bundle), "utf8");
      expect(text).not.toContain(PACKAGE_DIR);
      expect(text).not.toContain(first);
    }
  });

  it("runs alone with `node server.mjs`, then drains an in-flight request on SIGTERM", async () => {
    // Nothing to fall back on: no node_modules anywhere above the folder.
    for (let dir = first; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
    }
    const server = start("server.mjs", {
      HOST: "127.0.0.1",
      PORT: "0",
      ENABLE_DEBUG_ROUTES: "1",
      SHUTDOWN_TIMEOUT_MS: "15000",
      RELEASE_ID: "rel-7",
      GIT_COMMIT: "abc1234",
      BUILD_TIME: "2026-01-02T03:04:05Z",
    });
    // Generous: the embedded database's first start is CPU-heavy (WASM compile + initdb).
    const listening = await server.waitForLine(/Server listening at/, 60_000);
    const url = (/(http:\/\/127\.0\.0\.1:\d+)/.exec(listening) ?? [])[1] as string;
    const port = Number(new URL(url).port);

    expect((await call(url, "GET", "/healthz")).status).toBe(200);
    expect((await call(url, "GET", "/api/version")).body).toEqual({
      releaseId: "rel-7",
      commit: "abc1234",
      builtAt: "2026-01-02T03:04:05Z",
    });
    const reg = await call(url, "POST", "/api/auth/register", {
      body: { email: "bundle@example.com", password: "correct horse" },
    });
    expect(reg.status).toBe(201);

    // One JSON line per request, with method, path, status and duration.
    const requestLine = await server.waitForLine(/"path":"\/api\/auth\/register"/);
    expect(JSON.parse(requestLine)).toMatchObject({
      method: "POST",
      status: 201,
      ms: expect.any(Number),
    });

    let slowDone = false;
    const slow = call(url, "GET", "/api/debug/sleep?ms=4000").finally(() => {
      slowDone = true;
    });
    await server.waitForLine(/sleep started/);
    server.process.kill("SIGTERM");
    await server.waitForLine(/SIGTERM: draining/);
    // New connections are refused while the request that was in flight is still being served.
    expect(await becomesRefusing(port, 2_000)).toBe(true);
    expect(slowDone).toBe(false);

    const answer = await slow;
    expect(answer).toMatchObject({ status: 200, body: { slept: 4000 } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const lines = server.output.join("\n");
    expect(lines.indexOf('"path":"/api/debug/sleep"')).toBeLessThan(
      lines.indexOf('"msg":"stopped"'),
    );
  }, 90_000);

  it("exits 1 at start with a message naming a bad variable", async () => {
    const server = start("server.mjs", { PORT: "http" });
    expect((await server.exited).code).toBe(1);
    const fatal = JSON.parse(server.output.find((line) => line.includes("cannot start")) ?? "{}");
    expect(fatal).toMatchObject({ level: 60, error: "ConfigError" });
    expect(fatal.msg).toMatch(/invalid configuration: PORT="http": expected an integer/);
  });

  it("APP_FAULT=crash-on-start logs why and exits 1", async () => {
    const server = start("server.mjs", {
      APP_FAULT: "crash-on-start",
      HOST: "127.0.0.1",
      PORT: "0",
    });
    expect((await server.exited).code).toBe(1);
    expect(server.output.join("\n")).toMatch(/APP_FAULT=crash-on-start/);
  });

  describe("with a PostgreSQL server", () => {
    let postgres: PostgresServer;
    beforeAll(async () => {
      postgres = await createPostgres();
      await postgres.start();
    });
    afterAll(() => postgres?.destroy());

    it("migrate.mjs applies the migrations, then finds nothing to do; both exit 0", async () => {
      const run1 = start("migrate.mjs", { DATABASE_URL: postgres.url });
      expect((await run1.exited).code).toBe(0);
      expect(run1.output.join("\n")).toContain("applied 1 migration(s): 0001_init");

      const run2 = start("migrate.mjs", { DATABASE_URL: postgres.url });
      expect((await run2.exited).code).toBe(0);
      expect(run2.output.join("\n")).toContain(
        "nothing to apply: all 1 migration(s) already applied",
      );
    });

    it("SIGTERM: a request longer than SHUTDOWN_TIMEOUT_MS is cut off, the process still exits 0", async () => {
      const server = start("server.mjs", {
        HOST: "127.0.0.1",
        PORT: "0",
        DATABASE_URL: postgres.url,
        ENABLE_DEBUG_ROUTES: "1",
        SHUTDOWN_TIMEOUT_MS: "300",
      });
      const listening = await server.waitForLine(/Server listening at/);
      const url = (/(http:\/\/127\.0\.0\.1:\d+)/.exec(listening) ?? [])[1] as string;
      const tooSlow = call(url, "GET", "/api/debug/sleep?ms=20000").then(
        () => "answered",
        () => "cut off",
      );
      await server.waitForLine(/sleep started/);
      const signalledAt = Date.now();
      server.process.kill("SIGTERM");
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(await tooSlow).toBe("cut off");
      expect(server.output.join("\n")).toContain("shutdown timeout: closing connections");
    });

    it("migrate.mjs exits non-zero with the reason when the database cannot be reached", async () => {
      const unreachable = postgres.url.replace(`:${postgres.port}/`, ":1/");
      const run = start("migrate.mjs", { DATABASE_URL: unreachable });
      expect((await run.exited).code).toBe(1);
      expect(run.output.join("\n")).toMatch(/migrate failed: .*ECONNREFUSED/);
    });
  });
});
