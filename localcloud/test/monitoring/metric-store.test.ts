import { describe, expect, it } from "vitest";
import { MetricStore } from "../../src/services/monitoring/metrics";
import { statisticOf } from "../../src/services/monitoring/statistics";

const metric = {
  Namespace: "AWS/ApplicationELB",
  MetricName: "TargetResponseTime",
  Dimensions: [{ Name: "LoadBalancer", Value: "app/web/1" }],
};

describe("values a service records into the metric store", () => {
  it("are merged per second, keeping every value for the statistics", () => {
    const store = new MetricStore();
    // A whole second a little in the past (the store keeps three hours).
    const t = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    for (const [offset, value] of [
      [0, 0.01],
      [300, 0.01],
      [999, 0.2],
      [1000, 0.05],
    ] as const) {
      store.record(metric, value, "Seconds", t + offset);
    }
    const all = store.samples(metric, t, t + 2000);
    // One set for the first second (three values), one for the next.
    expect(all.map((s) => [s.at - t, s.count])).toEqual([
      [0, 3],
      [1000, 1],
    ]);
    expect(all[0]?.values).toEqual([
      { value: 0.01, count: 2 },
      { value: 0.2, count: 1 },
    ]);
    expect(statisticOf("SampleCount", all)).toBe(4);
    expect(statisticOf("Maximum", all)).toBe(0.2);
    expect(statisticOf("Average", all)).toBeCloseTo(0.0675, 10);
    expect(statisticOf("p50", all)).toBe(0.01);
    expect(statisticOf("p95", all)).toBe(0.2);
  });
});
