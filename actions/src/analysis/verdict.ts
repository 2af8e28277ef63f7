import type { AnalysisSettings } from "./settings";

/** What one target group's traffic looked like over one interval (one CloudWatch period). */
export interface GroupSample {
  requests: number;
  /**
   * 5xx the group's targets caused: their own 5xx answers (HTTPCode_Target_5XX_Count) and the
   * 502s of connections they refused or dropped (TargetConnectionErrorCount).
   */
  errors5xx: number;
  /** p95 of TargetResponseTime in seconds; undefined when the group had no request. */
  p95Seconds?: number;
}

export interface IntervalSamples {
  /** Start of the interval. */
  start: Date;
  new: GroupSample;
  old: GroupSample;
}

/** One rule the new target group broke, with the numbers that broke it. */
export interface Breach {
  rule: "error-rate" | "latency-p95";
  /** The new group's value: a rate (fraction) or seconds. */
  value: number;
  /** The limit it went over (the lowest of the limits broken). */
  limit: number;
  /** value − limit: how far over. */
  over: number;
  message: string;
}

export type IntervalVerdict =
  | { start: Date; verdict: "insufficient-data"; message: string }
  | { start: Date; verdict: "healthy"; message: string }
  | { start: Date; verdict: "failing"; breaches: Breach[]; message: string };

export interface OverallVerdict {
  /**
   * failing: `consecutiveFailures` failing intervals in a row were seen; healthy: not so, and at
   * least one interval had enough data; insufficient-data: no interval had.
   */
  verdict: "failing" | "healthy" | "insufficient-data";
  /** Failing intervals in a row at the end (or at the point the verdict became failing). */
  consecutiveFailing: number;
  intervals: IntervalVerdict[];
  message: string;
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const shortPercent = (rate: number) => `${Number((rate * 100).toFixed(2))}%`;
const millis = (seconds: number) => `${Math.round(seconds * 1000)} ms`;
const rateOf = (sample: GroupSample) =>
  sample.requests > 0 ? sample.errors5xx / sample.requests : 0;

const errorRateBreach = (
  sample: IntervalSamples,
  settings: AnalysisSettings,
  oldJudged: boolean,
): Breach | undefined => {
  const rate = rateOf(sample.new);
  const oldRate = rateOf(sample.old);
  const relativeLimit = oldRate * settings.errorRateFactor + settings.errorRateFloor;
  const overAbsolute = rate > settings.maxErrorRate;
  const overRelative = oldJudged && rate > relativeLimit;
  if (!overAbsolute && !overRelative) return undefined;
  const broken = [
    ...(overAbsolute ? [`over ${shortPercent(settings.maxErrorRate)}`] : []),
    ...(overRelative
      ? [
          `over ${settings.errorRateFactor}× the old ${percent(oldRate)} (${sample.old.errors5xx} of ${sample.old.requests}) + ${shortPercent(settings.errorRateFloor)}`,
        ]
      : []),
  ];
  const limit = Math.min(
    ...(overAbsolute ? [settings.maxErrorRate] : []),
    ...(overRelative ? [relativeLimit] : []),
  );
  return {
    rule: "error-rate",
    value: rate,
    limit,
    over: rate - limit,
    message: `5xx rate of the new target group ${percent(rate)} (${sample.new.errors5xx} of ${sample.new.requests} requests) ${broken.join(" and ")}: ${((rate - limit) * 100).toFixed(1)} points over the limit ${percent(limit)}`,
  };
};

const latencyBreach = (sample: IntervalSamples, settings: AnalysisSettings): Breach | undefined => {
  const { p95Seconds: p95 } = sample.new;
  const { p95Seconds: oldP95 } = sample.old;
  if (p95 === undefined || oldP95 === undefined) return undefined;
  const limit = oldP95 * settings.latencyFactor + settings.latencyFloorSeconds;
  if (p95 <= limit) return undefined;
  return {
    rule: "latency-p95",
    value: p95,
    limit,
    over: p95 - limit,
    message: `p95 latency of the new target group ${millis(p95)} over ${settings.latencyFactor}× the old ${millis(oldP95)} + ${millis(settings.latencyFloorSeconds)}: ${millis(p95 - limit)} over the limit ${millis(limit)}`,
  };
};

/**
 * Judges one interval. The new group needs `minRequests` to be judged at all; the old group's
 * numbers are compared against only when it had `minRequests` too (else only the absolute error
 * rate applies: a quiet old group is no baseline).
 */
export const judgeInterval = (
  sample: IntervalSamples,
  settings: AnalysisSettings,
): IntervalVerdict => {
  const { start } = sample;
  if (sample.new.requests < settings.minRequests) {
    return {
      start,
      verdict: "insufficient-data",
      message: `the new target group had ${sample.new.requests} requests, fewer than ${settings.minRequests}`,
    };
  }
  const oldJudged = sample.old.requests >= settings.minRequests;
  const breaches = [
    errorRateBreach(sample, settings, oldJudged),
    oldJudged ? latencyBreach(sample, settings) : undefined,
  ].filter((b): b is Breach => b !== undefined);
  const baseline = oldJudged
    ? ""
    : `; the old target group had ${sample.old.requests} requests, only the absolute 5xx limit applied`;
  if (breaches.length > 0) {
    return {
      start,
      verdict: "failing",
      breaches,
      message: `${breaches.map((b) => b.message).join("; ")}${baseline}`,
    };
  }
  const p95 = sample.new.p95Seconds;
  return {
    start,
    verdict: "healthy",
    message: `5xx rate of the new target group ${percent(rateOf(sample.new))} (${sample.new.errors5xx} of ${sample.new.requests} requests)${p95 === undefined ? "" : `, p95 ${millis(p95)}`}${baseline}`,
  };
};

/**
 * Judges the intervals in order (oldest first). A healthy interval ends a run of failing ones;
 * an interval without enough data neither ends nor extends it (a lull is no evidence either way).
 * A gate calls this each interval with everything seen so far and stops at `failing`.
 */
export const analyse = (samples: IntervalSamples[], settings: AnalysisSettings): OverallVerdict => {
  const intervals = [...samples]
    .sort((a, b) => a.start.getTime() - b.start.getTime())
    .map((s) => judgeInterval(s, settings));
  let run = 0;
  for (const interval of intervals) {
    if (interval.verdict === "healthy") run = 0;
    if (interval.verdict !== "failing") continue;
    run += 1;
    if (run >= settings.consecutiveFailures) {
      return {
        verdict: "failing",
        consecutiveFailing: run,
        intervals: intervals.filter((i) => i.start.getTime() <= interval.start.getTime()),
        message: `${run} consecutive failing intervals (limit ${settings.consecutiveFailures}); last: ${interval.message}`,
      };
    }
  }
  const judged = intervals.filter((i) => i.verdict !== "insufficient-data");
  if (judged.length === 0) {
    return {
      verdict: "insufficient-data",
      consecutiveFailing: 0,
      intervals,
      message: `no interval had ${settings.minRequests} requests to the new target group`,
    };
  }
  return {
    verdict: "healthy",
    consecutiveFailing: run,
    intervals,
    message: `${judged.filter((i) => i.verdict === "healthy").length} of ${intervals.length} intervals healthy, ${run} failing in a row (limit ${settings.consecutiveFailures})`,
  };
};
