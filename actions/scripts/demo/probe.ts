/**
 * Fetches the SPA and /api/healthz through the edge the whole time, as a visitor would, and
 * counts failed requests and pages that reference an asset the edge cannot serve.
 */
export interface ProbeResults {
  requests: number;
  failed: number;
  brokenPages: number;
  errors: string[];
}

export function startProbe(edgeUrl: string, intervalMs = 200) {
  const results: ProbeResults = { requests: 0, failed: 0, brokenPages: 0, errors: [] };
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
  const loop = (async () => {
    while (running) {
      await once();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    results,
    async stop(): Promise<ProbeResults> {
      running = false;
      await loop;
      return results;
    },
  };
}
