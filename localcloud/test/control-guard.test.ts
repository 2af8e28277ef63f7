import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestCloud } from "./helpers/cloud";

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let port: number;

beforeAll(async () => {
  cloud = await startTestCloud({ services: [] });
  port = Number(new URL(cloud.endpoint).port);
});
afterAll(async () => {
  await cloud?.dispose();
});
beforeEach(() => {
  cloud.faults.clear();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request to the endpoint with exactly these headers (as a browser could send). */
const raw = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, headers, setHost: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });

const FAULT = JSON.stringify({ service: "s3", kind: "throttle" });
const postFault = (headers: Record<string, string>) =>
  raw("POST", "/_localcloud/faults", { "content-type": "text/plain", ...headers }, FAULT);

describe("the control endpoint's Host check", () => {
  it.each([`127.0.0.1:PORT`, "localhost:PORT", "LOCALHOST", "[::1]:PORT", "127.0.0.2:PORT"])(
    "answers Host %s",
    async (host) => {
      const answer = await raw("GET", "/_localcloud/health", {
        host: host.replace("PORT", String(port)),
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: true });
    },
  );

  it.each(["attacker.example:PORT", "attacker.example", "127.0.0.1.attacker.example", "0.0.0.0"])(
    "refuses Host %s (DNS rebinding) and changes nothing",
    async (host) => {
      const answer = await postFault({ host: host.replace("PORT", String(port)) });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error).toContain("Host");
      expect(cloud.faults.list()).toEqual([]);
    },
  );

  it("does not answer a request without Host", async () => {
    // Node's HTTP server already turns these away (400); the guard would refuse them too.
    const answer = await raw("GET", "/_localcloud/requests", {});
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });
});

describe("the control endpoint's cross-origin check", () => {
  const host = () => `127.0.0.1:${port}`;

  it("accepts tools that send no Origin, and the endpoint's own origin", async () => {
    expect((await postFault({ host: host() })).status).toBe(200);
    expect((await postFault({ host: host(), origin: `http://${host()}` })).status).toBe(200);
    expect(
      (
        await postFault({
          host: host(),
          origin: `http://${host()}`,
          "sec-fetch-site": "same-origin",
        })
      ).status,
    ).toBe(200);
    expect(cloud.faults.list()).toHaveLength(3);
  });

  it.each<Record<string, string>>([
    { origin: "http://attacker.example" },
    { origin: "null" },
    { origin: `http://localhost:1` },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
  ])("refuses a page's request %j and changes nothing", async (headers) => {
    const answer = await postFault({ host: host(), ...headers });
    expect(answer.status).toBe(403);
    expect(cloud.faults.list()).toEqual([]);
    const cleared = await raw("DELETE", "/_localcloud/requests", { host: host(), ...headers });
    expect(cleared.status).toBe(403);
  });

  it("grants no CORS: a preflight and every answer come without Access-Control headers", async () => {
    const preflight = await raw("OPTIONS", "/_localcloud/faults", {
      host: host(),
      origin: "http://attacker.example",
      "access-control-request-method": "POST",
    });
    expect(preflight.status).toBe(403);
    const answers = [
      preflight,
      await raw("GET", "/_localcloud/requests", { host: host() }),
      await postFault({ host: host(), origin: "http://attacker.example" }),
    ];
    for (const answer of answers) {
      expect(
        Object.keys(answer.headers).filter((name) => name.startsWith("access-control-")),
      ).toEqual([]);
    }
  });
});
