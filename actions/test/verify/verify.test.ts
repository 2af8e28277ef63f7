import { describe, expect, it } from "vitest";
import { TerminalLogger } from "../../src/lib/logger";
import { runChecks } from "../../src/verify/checks";
import { pageAssets } from "../../src/verify/page-assets";
import { runVerify } from "../../src/verify/verify";

const PAGE = `<!doctype html><html><head>
<link rel="stylesheet" href="/assets/app-1a2b.css">
<link rel="icon" href="favicon.ico">
<link rel="modulepreload" href="/assets/chunk-9f.js#x">
<link rel="canonical" href="/elsewhere">
<script src="https://cdn.example.com/lib.js"></script>
</head><body>
<!-- <script src="/assets/commented.js"></script> -->
<a href="/about">About</a>
<img src="/assets/logo.svg"><img src="/assets/logo.svg">
<script type="module" src="/assets/app-3c4d.js"></script>
</body></html>`;

/** A site served from a table: path → [status, body, milliseconds it takes]. */
function site(pages: Record<string, [number, string, number?]>) {
  let clock = 0;
  const fetch = (async (url: string) => {
    const [status, body, ms = 5] = pages[new URL(url).pathname] ?? [404, "not found"];
    clock += ms;
    return new Response(body, { status });
  }) as unknown as typeof globalThis.fetch;
  // Time moves only when a response arrives: each request takes its table's milliseconds.
  return { fetch, now: () => clock };
}

describe("verify", () => {
  it("finds what a page loads by itself, same origin only, each once", () => {
    expect(pageAssets(PAGE, "https://www.example.com/")).toEqual([
      "https://www.example.com/assets/app-1a2b.css",
      "https://www.example.com/assets/app-3c4d.js",
      "https://www.example.com/assets/chunk-9f.js",
      "https://www.example.com/assets/logo.svg",
      "https://www.example.com/favicon.ico",
    ]);
  });

  it("passes when every path, text, asset and latency is as expected", async () => {
    const { fetch, now } = site({
      "/": [200, PAGE],
      "/assets/app-1a2b.css": [200, "body{}"],
      "/assets/app-3c4d.js": [200, "x"],
      "/assets/chunk-9f.js": [200, "y"],
      "/assets/logo.svg": [200, "<svg/>"],
      "/favicon.ico": [200, ""],
      "/api/readyz": [200, '{"status":"ready"}'],
    });
    const results = await runChecks(
      "https://www.example.com/",
      {
        latency: "1s",
        checks: [
          { path: "/", status: 200, assets: true },
          { path: "/api/readyz", status: 200, body: "ready", assets: false },
        ],
      },
      { fetch, now },
    );
    expect(results.map((result) => [result.what, result.passed])).toEqual([
      ["/", true],
      ["  asset /assets/app-1a2b.css", true],
      ["  asset /assets/app-3c4d.js", true],
      ["  asset /assets/chunk-9f.js", true],
      ["  asset /assets/logo.svg", true],
      ["  asset /favicon.ico", true],
      ["/api/readyz", true],
    ]);
  });

  it("fails a missing asset, a wrong text, a wrong status and a slow answer, saying which", async () => {
    const { fetch, now } = site({
      "/": [200, PAGE],
      "/assets/app-1a2b.css": [200, "body{}"],
      "/assets/app-3c4d.js": [200, "x"],
      "/assets/chunk-9f.js": [200, "y", 2_500],
      "/favicon.ico": [200, ""],
      "/api/readyz": [503, '{"status":"not-ready"}'],
      "/api/version": [200, '{"releaseId":"r1"}'],
    });
    const results = await runChecks(
      "https://www.example.com",
      {
        latency: "2s",
        checks: [
          { path: "/", status: 200, assets: true },
          { path: "/api/readyz", status: 200, assets: false },
          { path: "/api/version", status: 200, body: "r2", assets: false },
        ],
      },
      { fetch, now },
    );
    const failed = results.filter((result) => !result.passed);
    expect(failed.map((result) => [result.what, result.got])).toEqual([
      ["  asset /assets/chunk-9f.js", "status 200"],
      ["  asset /assets/logo.svg", "status 404"],
      ["/api/readyz", "status 503"],
      ["/api/version", "status 200, text missing"],
    ]);
    expect(failed[0]?.ms).toBe(2_500);
  });

  it("exits 1 when a check fails and 4 when the environment has no checks", async () => {
    const logger = new TerminalLogger({
      out: { write: () => true } as unknown as NodeJS.WritableStream,
      err: { write: () => true } as unknown as NodeJS.WritableStream,
    });
    const config = {
      version: 1 as const,
      environments: {
        production: {
          cluster: "c",
          service: "s",
          containers: {},
          bucket: "b",
          distributions: [],
          gate: {},
          "release-env": [],
          url: "https://www.example.com",
          verify: { checks: [{ path: "/", status: 200, assets: false }] },
        },
        staging: {
          cluster: "c",
          service: "s",
          containers: {},
          bucket: "b",
          distributions: [],
          gate: {},
          "release-env": [],
        },
      },
    };
    const { fetch } = site({ "/": [500, "oops"] });
    await expect(
      runVerify(
        { environment: "production", config: undefined, url: undefined },
        config,
        "shipline.yml",
        { logger, fetch },
      ),
    ).rejects.toMatchObject({ exitCode: 1, message: expect.stringContaining("status 500") });
    await expect(
      runVerify(
        { environment: "staging", config: undefined, url: undefined },
        config,
        "shipline.yml",
        { logger, fetch },
      ),
    ).rejects.toMatchObject({ exitCode: 4, message: expect.stringContaining("no checks") });
  });
});
