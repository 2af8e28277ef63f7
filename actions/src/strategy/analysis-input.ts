import { type AnalysisSettings, DEFAULT_ANALYSIS_SETTINGS } from "../analysis/settings";
import { quote } from "../lib/errors";
import { parseDuration } from "../lib/inputs";

/** The analysis as a rollout runs it: the rules, their interval, and whether it runs at all. */
export interface AnalysisConfig {
  enabled: boolean;
  settings: AnalysisSettings;
  /** One CloudWatch period: 60 s on AWS (ALB metrics are per minute), or a multiple of it. */
  periodSeconds: number;
}

export const DEFAULT_ANALYSIS: AnalysisConfig = {
  enabled: true,
  settings: DEFAULT_ANALYSIS_SETTINGS,
  periodSeconds: 60,
};

/** The keys of the analysis input (and of `analysis:` in the configuration file). */
export const ANALYSIS_KEYS = [
  "enabled",
  "interval",
  "max-error-rate",
  "error-rate-factor",
  "error-rate-floor",
  "latency-factor",
  "latency-floor",
  "min-requests",
  "consecutive-failures",
] as const;

const rate = (value: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  const fraction = match[2] ? number / 100 : number;
  return fraction >= 0 && fraction <= 1 ? fraction : undefined;
};
const positive = (value: string): number | undefined => {
  const number = Number(value);
  return value.trim() !== "" && Number.isFinite(number) && number > 0 ? number : undefined;
};
const whole = (value: string): number | undefined => {
  const number = positive(value);
  return number !== undefined && Number.isInteger(number) ? number : undefined;
};

/**
 * KEY=VALUE pairs into the analysis config; every problem names the input and the key. Rates as
 * "5%" or 0.05; latency-floor and interval as durations; interval 1, 5, 10, 30 s or whole minutes
 * (CloudWatch's periods).
 */
export function parseAnalysis(pairs: Record<string, string>, problems: string[]): AnalysisConfig {
  const settings: AnalysisSettings = { ...DEFAULT_ANALYSIS_SETTINGS };
  let periodSeconds = DEFAULT_ANALYSIS.periodSeconds;
  let enabled = true;
  const problem = (key: string, value: string, expected: string) =>
    problems.push(`input "analysis": ${key}=${quote(value)} must be ${expected}`);
  for (const [key, value] of Object.entries(pairs)) {
    switch (key) {
      case "enabled":
        if (!["true", "false"].includes(value.trim())) problem(key, value, "true or false");
        enabled = value.trim() === "true";
        break;
      case "interval": {
        const ms = parseDuration(value.trim());
        const seconds = ms === undefined ? Number.NaN : ms / 1000;
        if (!([1, 5, 10, 30].includes(seconds) || (seconds > 0 && seconds % 60 === 0))) {
          problem(key, value, "a CloudWatch period: 1s, 5s, 10s, 30s or whole minutes");
        } else periodSeconds = seconds;
        break;
      }
      case "max-error-rate":
      case "error-rate-floor": {
        const parsed = rate(value);
        if (parsed === undefined) problem(key, value, 'a rate like "5%" or 0.05');
        else settings[key === "max-error-rate" ? "maxErrorRate" : "errorRateFloor"] = parsed;
        break;
      }
      case "error-rate-factor":
      case "latency-factor": {
        const parsed = positive(value);
        if (parsed === undefined) problem(key, value, "a number above 0, like 2");
        else settings[key === "error-rate-factor" ? "errorRateFactor" : "latencyFactor"] = parsed;
        break;
      }
      case "latency-floor": {
        const ms = parseDuration(value.trim());
        if (ms === undefined) problem(key, value, 'a duration like "50ms"');
        else settings.latencyFloorSeconds = ms / 1000;
        break;
      }
      case "min-requests":
      case "consecutive-failures": {
        const parsed = whole(value);
        if (parsed === undefined) problem(key, value, "a whole number above 0");
        else settings[key === "min-requests" ? "minRequests" : "consecutiveFailures"] = parsed;
        break;
      }
      default:
        problems.push(
          `input "analysis": unknown key ${quote(key)} (known: ${ANALYSIS_KEYS.join(", ")})`,
        );
    }
  }
  return { enabled, settings, periodSeconds };
}
