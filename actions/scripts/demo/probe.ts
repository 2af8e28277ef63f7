/**
 * Fetches the SPA and /api/healthz through the edge the whole time, as a visitor would, and
 * counts failed requests and pages that reference an asset the edge cannot serve. Beside it,
 * users' API calls (`/api/version`, a few at a time): the traffic a canary's analysis judges,
 * each call's time and outcome kept so a window (a deploy, the time after its rollback) can be
 * counted.
 */
export interface ProbeResults {
  requests: number;
  failed: number;
  brokenPages: number;
  errors: string[];
  /** Every API call: when it was answered (epoch ms) and whether it succeeded. */
  apiCalls: { at: number; ok: boolean }[];
}

/** API calls answered in [from, to): how many, and how many failed. */
export function apiCallsBetween(
  results: ProbeResults,
  from: number,
  to = Number.POSITIVE_INFINITY,
): { total: number; failed: number } {
  const inWindow = results.apiCalls.filter((call) => call.at >= from && call.at < to);
  return { total: inWindow.length, failed: inWindow.filter((call) => !call.ok).length };
}

/** Concurrent API callers, each pausing this long between calls. */
const API_CALLERS = 4;
const API_PAUSE_MS = 20;

export function startProbe(edgeUrl: string, intervalMs = 200) {
  const results: ProbeResults = {
    requests: 0,
    failed: 0,
    brokenPages: 0,
    errors: [],
    apiCalls: [],
  };
  let running = true;
  const fail = (what: string) => {
    results.failed += 1;
    if (results.errors.length < 20) results.errors.push(what);
  };
  const once = async () => {
    const health = await fetch(`${edgeUrl}/api/healthz`).catch((error: Error) => error);
    results.requests += 1;
    if (health instanceof Error) fail(`/api/healthz: ${health.message}`);
    else if (health.status !== 200) fail(`/api/healthz: ${health.status}`);
    else await health.arrayBuffer();

    const page = await fetch(`${edgeUrl}/`).catch((error: Error) => error);
    results.requests += 1;
    if (page instanceof Error) return fail(`/: ${page.message}`);
    if (page.status !== 200) return fail(`/: ${page.status}`);
    const html = await page.text();
    for (const [, asset] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const response = await fetch(`${edgeUrl}${asset}`).catch((error: Error) => error);
      results.requests += 1;
      if (response instanceof Error || response.status !== 200) {
        results.brokenPages += 1;
        fail(`${asset}: ${response instanceof Error ? response.message : response.status}`);
      } else {
        await response.arrayBuffer();
      }
    }
  };
  const apiCall = async () => {
    const response = await fetch(`${edgeUrl}/api/version`).catch((error: Error) => error);
    const ok = !(response instanceof Error) && response.status === 200;
    if (!(response instanceof Error)) await response.arrayBuffer();
    results.apiCalls.push({ at: Date.now(), ok });
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const loops = [
    (async () => {
      while (running) {
        await once();
        await pause(intervalMs);
      }
    })(),
    ...Array.from({ length: API_CALLERS }, async () => {
      while (running) {
        await apiCall();
        await pause(API_PAUSE_MS);
      }
    }),
  ];
  return {
    results,
    async stop(): Promise<ProbeResults> {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}
