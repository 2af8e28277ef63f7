// nginx from the rendered template in front of the real API bundle, both on loopback.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApi } from "../../app-api/scripts/build-api";
import type { RunningProcess } from "../src/child-process";
import { freePorts } from "../src/free-port";
import { startNginx } from "../src/nginx-process";
import { renderNginxConfig } from "../src/render";
import { json, type Request, request } from "./support/http";
import { startApi } from "./support/start-api";

// Connections from this address may set the client's address with X-Forwarded-For;
// connections from 127.0.0.1 may not.
const TRUSTED_PEER = "127.0.0.2";
const releaseId = `e2e-${randomUUID().slice(0, 8)}`;

let dir: string;
let serverFile: string;
let apiPort: number;
let proxyPort: number;
let api: RunningProcess | undefined;
let nginx: RunningProcess;

const viaNginx = (options: Omit<Request, "port">) => request({ ...options, port: proxyPort });

function launchApi(env: Record<string, string> = {}) {
  return startApi({ serverFile, port: apiPort, env: { RELEASE_ID: releaseId, ...env } });
}

/** The access log line nginx wrote for the request that carried this id. */
async function accessLogFor(requestId: string): Promise<Record<string, unknown>> {
  const line = await nginx.waitForLine("stdout", (text) => text.includes(requestId));
  return JSON.parse(line) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipline-proxy-e2e-"));
  await chmod(dir, 0o755);
  serverFile = join((await buildApi({ outDir: join(dir, "api") })).outDir, "server.mjs");
  [apiPort, proxyPort] = (await freePorts(2)) as [number, number];
  api = await launchApi();
  const config = await renderNginxConfig({
    outDir: join(dir, "nginx"),
    env: {
      NGINX_LISTEN_ADDRESS: "127.0.0.1",
      NGINX_PORT: String(proxyPort),
      API_UPSTREAM: `127.0.0.1:${apiPort}`,
      REAL_IP_FROM: `${TRUSTED_PEER}/32`,
      CLIENT_MAX_BODY_SIZE: "64k",
    },
  });
  nginx = await startNginx(config, { host: "127.0.0.1", port: proxyPort });
});

afterAll(async () => {
  await nginx?.stop();
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("nginx in front of the API", () => {
  it("passes /api/* through to the API", async () => {
    const version = await viaNginx({ path: "/api/version" });
    expect(version.status).toBe(200);
    expect(json(version)).toMatchObject({ releaseId });

    const health = await viaNginx({ path: "/api/healthz" });
    expect(health.status).toBe(200);
    expect(json(health)).toEqual({ status: "ok" });
  });

  it("sets the security headers and hides its version", async () => {
    const response = await viaNginx({ path: "/api/version" });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(response.headers.server).toBe("nginx");
    // HSTS only when the load balancer says the client came over HTTPS.
    expect(response.headers["strict-transport-security"]).toBeUndefined();
    const overTls = await viaNginx({
      path: "/api/version",
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(overTls.headers["strict-transport-security"]).toMatch(/^max-age=\d+/);
  });

  it("sets the security headers on errors too", async () => {
    const missing = await viaNginx({ path: "/api/no-such-route" });
    expect(missing.status).toBe(404);
    expect(missing.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("compresses JSON for clients that accept gzip", async () => {
    const registered = await viaNginx({
      path: "/api/auth/register",
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: `${randomUUID()}@example.com`, password: "correct horse" }),
    });
    expect(registered.status).toBe(201);
    const { token } = json(registered) as { token: string };
    const auth = { Authorization: `Bearer ${token}` };
    const title = "a title long enough to make the list worth compressing ".repeat(3).trim();
    const created = await viaNginx({
      path: "/api/tasks",
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ title }),
    });
    expect(created.status).toBe(201);

    const zipped = await viaNginx({
      path: "/api/tasks",
      headers: { ...auth, "Accept-Encoding": "gzip" },
    });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toContain("Accept-Encoding");
    const tasks = JSON.parse(gunzipSync(zipped.body).toString("utf8")) as {
      tasks: { title: string }[];
    };
    expect(tasks.tasks.map((task) => task.title)).toEqual([title]);

    const plain = await viaNginx({ path: "/api/tasks", headers: auth });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(json(plain)).toEqual(tasks);
  });

  it("refuses bodies over CLIENT_MAX_BODY_SIZE before they reach the API", async () => {
    const response = await viaNginx({
      path: "/api/tasks",
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "x".repeat(100 * 1024) }),
    });
    expect(response.status).toBe(413);
  });

  it("writes one JSON access log line per request", async () => {
    const requestId = randomUUID();
    await viaNginx({ path: "/api/version?probe=1", headers: { "X-Request-Id": requestId } });
    const entry = await accessLogFor(requestId);
    expect(entry).toMatchObject({
      request_id: requestId,
      method: "GET",
      uri: "/api/version?probe=1",
      status: 200,
      client_ip: "127.0.0.1",
      upstream_status: "200",
    });
    expect(Number(entry.upstream_time)).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
  });

  it("takes the client's address from X-Forwarded-For only from the trusted range", async () => {
    const trusted = randomUUID();
    await viaNginx({
      path: "/api/healthz",
      localAddress: TRUSTED_PEER,
      headers: { "X-Request-Id": trusted, "X-Forwarded-For": "198.51.100.7" },
    });
    expect(await accessLogFor(trusted)).toMatchObject({
      client_ip: "198.51.100.7",
      peer_ip: TRUSTED_PEER,
    });

    // Through a chain: the rightmost untrusted address is the client.
    const chained = randomUUID();
    await viaNginx({
      path: "/api/healthz",
      localAddress: TRUSTED_PEER,
      headers: { "X-Request-Id": chained, "X-Forwarded-For": `203.0.113.9, ${TRUSTED_PEER}` },
    });
    expect(await accessLogFor(chained)).toMatchObject({ client_ip: "203.0.113.9" });

    const untrusted = randomUUID();
    await viaNginx({
      path: "/api/healthz",
      headers: { "X-Request-Id": untrusted, "X-Forwarded-For": "198.51.100.7" },
    });
    expect(await accessLogFor(untrusted)).toMatchObject({
      client_ip: "127.0.0.1",
      peer_ip: "127.0.0.1",
    });
  });

  // Last: it restarts the API.
  it("answers /healthz with the API's health: 200, then 502 when down, 503 when unhealthy", async () => {
    const healthy = await viaNginx({ path: "/healthz" });
    expect(healthy.status).toBe(200);
    expect(json(healthy)).toEqual({ status: "ok" });

    await api?.stop();
    api = undefined;
    const down = await viaNginx({ path: "/healthz" });
    expect(down.status).toBe(502);

    api = await launchApi({ APP_FAULT: "unhealthy" });
    const unhealthy = await viaNginx({ path: "/healthz" });
    expect(unhealthy.status).toBe(503);
    expect(json(unhealthy)).toMatchObject({ status: "unhealthy" });
  }, 90_000);
});
