import { describe, expect, it } from "vitest";
import { type AnalysisSettings, DEFAULT_ANALYSIS_SETTINGS } from "../../src/analysis/settings";
import {
  analyse,
  type GroupSample,
  type IntervalSamples,
  judgeInterval,
} from "../../src/analysis/verdict";

const settings: AnalysisSettings = {
  maxErrorRate: 0.05,
  errorRateFactor: 2,
  errorRateFloor: 0.02,
  latencyFactor: 1.5,
  latencyFloorSeconds: 0.05,
  minRequests: 20,
  consecutiveFailures: 2,
};

const group = (requests: number, errors5xx: number, p95Seconds?: number): GroupSample => ({
  requests,
  errors5xx,
  ...(p95Seconds === undefined ? {} : { p95Seconds }),
});
let minute = 0;
const interval = (fresh: GroupSample, old: GroupSample): IntervalSamples => ({
  start: new Date(Date.UTC(2026, 0, 1, 0, minute++)),
  new: fresh,
  old,
});
const healthy = () => interval(group(50, 0, 0.01), group(50, 0, 0.01));
const failing = () => interval(group(50, 24, 0.01), group(50, 0, 0.01));
const quiet = () => interval(group(3, 3), group(50, 0, 0.01));

describe("judgeInterval", () => {
  it("fails a 48% 5xx rate against a clean old group, naming the numbers, both limits and how far over the lower one", () => {
    const verdict = judgeInterval(failing(), settings);
    expect(verdict.verdict).toBe("failing");
    expect(verdict.message).toBe(
      "5xx rate of the new target group 48.0% (24 of 50 requests) over 5% and over 2× the old 0.0% (0 of 50) + 2%: 46.0 points over the limit 2.0%",
    );
    if (verdict.verdict !== "failing") return;
    expect(verdict.breaches).toHaveLength(1);
    // Either limit fails it: the lower one (2 × 0% + 2%) is the one it had to stay under.
    expect(verdict.breaches[0]).toMatchObject({ rule: "error-rate", value: 0.48, limit: 0.02 });
    expect(verdict.breaches[0]?.over).toBeCloseTo(0.46, 10);
  });

  it("is insufficient-data below the minimum requests of the new group, even with every request failing", () => {
    const verdict = judgeInterval(interval(group(19, 19), group(50, 0)), settings);
    expect(verdict).toMatchObject({
      verdict: "insufficient-data",
      message: "the new target group had 19 requests, fewer than 20",
    });
    expect(judgeInterval(interval(group(20, 19), group(50, 0)), settings).verdict).toBe("failing");
  });

  it("keeps the absolute limit strict: 5% exactly is healthy, just over fails", () => {
    // Old at 5% too, so the relative limit (2 × 5% + 2% = 12%) does not decide.
    expect(judgeInterval(interval(group(100, 5), group(100, 5)), settings).verdict).toBe("healthy");
    const over = judgeInterval(interval(group(100, 6), group(100, 5)), settings);
    expect(over.verdict).toBe("failing");
    expect(over.message).toContain("6.0% (6 of 100 requests) over 5%:");
    expect(over.message).not.toContain("× the old");
  });

  it("fails under the absolute limit when over the relative one (2 × old + floor)", () => {
    // Old 0%: limit 2%; 3 of 100 is 3%.
    const verdict = judgeInterval(interval(group(100, 3), group(100, 0)), settings);
    expect(verdict.verdict).toBe("failing");
    expect(verdict.message).toContain(
      "3.0% (3 of 100 requests) over 2× the old 0.0% (0 of 100) + 2%",
    );
    if (verdict.verdict === "failing") expect(verdict.breaches[0]?.limit).toBeCloseTo(0.02, 10);
    // The floor lets one stray error through: 2 of 100 is not over 2%.
    expect(judgeInterval(interval(group(100, 2), group(100, 0)), settings).verdict).toBe("healthy");
  });

  it("applies only the absolute limit when the old group had too few requests to compare with", () => {
    const verdict = judgeInterval(interval(group(100, 4, 0.5), group(5, 0, 0.01)), settings);
    expect(verdict.verdict).toBe("healthy");
    expect(verdict.message).toContain("the old target group had 5 requests");
    expect(judgeInterval(interval(group(100, 6), group(5, 0)), settings).verdict).toBe("failing");
  });

  it("fails a p95 over 1.5 × the old p95 + the floor, and says by how much", () => {
    // Limit: 0.1 × 1.5 + 0.05 = 0.2 s.
    const slow = judgeInterval(interval(group(50, 0, 0.3), group(50, 0, 0.1)), settings);
    expect(slow.verdict).toBe("failing");
    expect(slow.message).toBe(
      "p95 latency of the new target group 300 ms over 1.5× the old 100 ms + 50 ms: 100 ms over the limit 200 ms",
    );
    expect(judgeInterval(interval(group(50, 0, 0.2), group(50, 0, 0.1)), settings).verdict).toBe(
      "healthy",
    );
    // A fast service's noise (2 ms → 10 ms) stays under the floor.
    expect(judgeInterval(interval(group(50, 0, 0.01), group(50, 0, 0.002)), settings).verdict).toBe(
      "healthy",
    );
  });

  it("reports both breaches when the error rate and the latency both fail", () => {
    const verdict = judgeInterval(interval(group(50, 10, 1), group(50, 0, 0.1)), settings);
    expect(verdict.verdict === "failing" && verdict.breaches.map((b) => b.rule)).toEqual([
      "error-rate",
      "latency-p95",
    ]);
  });

  it("does not blame the new group for an error rate the old one shares", () => {
    // Old 10% (a downstream outage): relative limit 22%, but the absolute 5% still fails it.
    const verdict = judgeInterval(interval(group(100, 11), group(100, 10)), settings);
    expect(verdict.message).toContain("over 5%:");
    expect(verdict.message).not.toContain("× the old");
  });
});

describe("analyse", () => {
  it("fails after the configured number of consecutive failing intervals, not before", () => {
    expect(analyse([healthy(), failing()], settings)).toMatchObject({
      verdict: "healthy",
      consecutiveFailing: 1,
    });
    const overall = analyse([healthy(), failing(), failing()], settings);
    expect(overall.verdict).toBe("failing");
    expect(overall.consecutiveFailing).toBe(2);
    expect(overall.message).toMatch(
      /^2 consecutive failing intervals \(limit 2\); last: 5xx rate of the new target group 48\.0%/,
    );
    expect(analyse([failing(), failing()], { ...settings, consecutiveFailures: 3 }).verdict).toBe(
      "healthy",
    );
  });

  it("lets a healthy interval end a failing run, and an insufficient one neither end nor extend it", () => {
    expect(analyse([failing(), healthy(), failing()], settings).verdict).toBe("healthy");
    const lull = analyse([failing(), quiet(), failing()], settings);
    expect(lull.verdict).toBe("failing");
    expect(lull.consecutiveFailing).toBe(2);
    expect(analyse([failing(), quiet()], settings).consecutiveFailing).toBe(1);
  });

  it("judges intervals in time order whatever order they come in, and stops at the first failing verdict", () => {
    const [a, b, c, d] = [failing(), failing(), healthy(), healthy()];
    const overall = analyse([d, c, b, a], settings);
    expect(overall.verdict).toBe("failing");
    expect(overall.intervals.map((i) => i.start)).toEqual([a.start, b.start]);
  });

  it("is insufficient-data when no interval had enough requests", () => {
    expect(analyse([quiet(), quiet()], settings)).toMatchObject({
      verdict: "insufficient-data",
      message: "no interval had 20 requests to the new target group",
    });
    expect(analyse([], settings).verdict).toBe("insufficient-data");
  });

  it("ships defaults that fail a broken revision and pass a good one", () => {
    expect(analyse([failing(), failing()], DEFAULT_ANALYSIS_SETTINGS).verdict).toBe("failing");
    expect(analyse([healthy(), healthy()], DEFAULT_ANALYSIS_SETTINGS).verdict).toBe("healthy");
  });
});
