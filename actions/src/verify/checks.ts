import type { VerifyConfig } from "../config/schema";
import { formatDuration, parseDuration } from "../lib/inputs";
import { pageAssets } from "./page-assets";

/** One request of a verification and what it showed. */
export interface CheckResult {
  /** The path checked, or "  asset <path>" for a page's asset. */
  what: string;
  expected: string;
  got: string;
  ms: number;
  passed: boolean;
}

export const DEFAULT_LATENCY_MS = 5_000;

/**
 * Runs an environment's smoke checks against its base URL, one request at a time: each path's
 * status and body text, every asset a page references, and every response within the latency
 * bound. Reads only. Each result says what was expected and what came back.
 */
export async function runChecks(
  baseUrl: string,
  verify: VerifyConfig,
  settings: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<CheckResult[]> {
  const doFetch = settings.fetch ?? globalThis.fetch;
  const now = settings.now ?? (() => performance.now());
  const latencyMs =
    verify.latency === undefined
      ? DEFAULT_LATENCY_MS
      : typeof verify.latency === "number"
        ? verify.latency * 1000
        : (parseDuration(verify.latency) ?? DEFAULT_LATENCY_MS);
  const base = baseUrl.replace(/\/+$/, "");
  const within = `≤ ${formatDuration(latencyMs)}`;

  /** GET with the bound as its deadline (a bit past it, so a slow answer is measured, not lost). */
  const get = async (url: string) => {
    const started = now();
    try {
      const response = await doFetch(url, {
        redirect: "follow",
        signal: AbortSignal.timeout(latencyMs + 1_000),
      });
      const body = await response.text();
      return { status: response.status, body, ms: Math.round(now() - started) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return {
        status: 0,
        body: "",
        ms: Math.round(now() - started),
        error: cause ?? (error as Error).name,
      };
    }
  };

  const results: CheckResult[] = [];
  for (const check of verify.checks) {
    const url = `${base}${check.path}`;
    const answer = await get(url);
    const expectations = [`status ${check.status}`];
    const got = [answer.status === 0 ? `no answer (${answer.error})` : `status ${answer.status}`];
    let passed = answer.status === check.status;
    if (check.body !== undefined) {
      expectations.push(`body has ${JSON.stringify(check.body)}`);
      const has = answer.body.includes(check.body);
      got.push(has ? "text found" : "text missing");
      passed &&= has;
    }
    expectations.push(within);
    passed &&= answer.ms <= latencyMs;
    results.push({
      what: check.path,
      expected: expectations.join(", "),
      got: got.join(", "),
      ms: answer.ms,
      passed,
    });
    if (!check.assets) continue;
    const assets = answer.status === 200 ? pageAssets(answer.body, url) : [];
    if (answer.status === 200 && assets.length === 0) {
      results.push({
        what: `  assets of ${check.path}`,
        expected: "at least one",
        got: "none referenced",
        ms: 0,
        passed: false,
      });
    }
    for (const asset of assets) {
      const fetched = await get(asset);
      results.push({
        what: `  asset ${new URL(asset).pathname}`,
        expected: `status 200, ${within}`,
        got: fetched.status === 0 ? `no answer (${fetched.error})` : `status ${fetched.status}`,
        ms: fetched.ms,
        passed: fetched.status === 200 && fetched.ms <= latencyMs,
      });
    }
  }
  return results;
}
