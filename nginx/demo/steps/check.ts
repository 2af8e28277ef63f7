import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunningProcess } from "../../src/child-process";

export interface CheckResult {
  what: string;
  ok: boolean;
  detail: string;
}

export interface CheckTarget {
  /** The edge's URL, the one the demo prints. */
  url: string;
  webRoot: string;
  /** The task's nginx, whose access log must show the API request. */
  proxy: RunningProcess;
}

interface Check {
  what: string;
  /** Resolves with what it saw; throws with what was wrong. */
  run(target: CheckTarget): Promise<string>;
}

const spaCheck: Check = {
  what: "GET / returns the SPA",
  async run({ url, webRoot }) {
    const response = await fetch(new URL("/", url));
    const body = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const built = await readFile(join(webRoot, "index.html"), "utf8");
    if (response.status !== 200 || !type.startsWith("text/html") || body !== built) {
      throw new Error(`${response.status} ${type}: not the built index.html`);
    }
    const manifest = JSON.parse(await readFile(join(webRoot, "asset-manifest.json"), "utf8")) as {
      immutable: string[];
    };
    for (const asset of manifest.immutable) {
      const assetResponse = await fetch(new URL(asset, url));
      await assetResponse.arrayBuffer();
      if (assetResponse.status !== 200) {
        throw new Error(`the page's asset ${asset} answers ${assetResponse.status}`);
      }
    }
    return `200 ${type}: the built index.html (${body.length} bytes) and its ${manifest.immutable.length} assets`;
  },
};

const apiCheck: Check = {
  what: "GET /api/healthz answers through nginx",
  async run({ url, proxy }) {
    const requestId = `demo-check-${randomUUID()}`;
    const response = await fetch(new URL("/api/healthz", url), {
      headers: { "X-Request-Id": requestId },
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${response.status} ${body}`);
    try {
      await proxy.waitForLine("stdout", (line) => line.includes(requestId), 5_000);
    } catch {
      throw new Error(`${response.status} ${body}, but nginx's access log has no ${requestId}`);
    }
    return `${response.status} ${body}, in nginx's access log as ${requestId}`;
  },
};

/** What `npm run demo -- --once` verifies: the page, and the API behind the task's nginx. */
export async function checkStack(target: CheckTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of [spaCheck, apiCheck]) {
    try {
      results.push({ what: check.what, ok: true, detail: await check.run(target) });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ what: check.what, ok: false, detail });
    }
  }
  return results;
}
