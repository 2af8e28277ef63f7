import { describe, expect, it } from "vitest";
import {
  loadBalancerDimension,
  type MetricWindow,
  metricQueries,
  samplesFrom,
  targetGroupDimension,
} from "../../src/analysis/metrics";

const LB =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
const NEW =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green/73e2d6bc24d8a067";
const OLD =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-blue/943f017f100becff";
const T0 = Date.UTC(2026, 0, 1, 12, 0);
const window: MetricWindow = {
  loadBalancer: LB,
  newTargetGroup: NEW,
  oldTargetGroup: OLD,
  start: new Date(T0 - 30_000),
  end: new Date(T0 + 3 * 60_000 + 10_000),
  periodSeconds: 60,
};

describe("the analysis' metric queries", () => {
  it("names the load balancer and target groups as CloudWatch's dimensions do", () => {
    expect(loadBalancerDimension(LB)).toBe("app/web/50dc6c495c0c9188");
    expect(targetGroupDimension(NEW)).toBe("targetgroup/api-green/73e2d6bc24d8a067");
    expect(loadBalancerDimension("app/web/1")).toBe("app/web/1");
    expect(targetGroupDimension("targetgroup/x/1")).toBe("targetgroup/x/1");
  });

  it("asks for requests, target 5xx, connection errors (Sum) and p95 latency of both groups", () => {
    const queries = metricQueries(window);
    expect(
      queries.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat]),
    ).toEqual([
      ["new_requests", "RequestCount", "Sum"],
      ["new_errors5xx", "HTTPCode_Target_5XX_Count", "Sum"],
      ["new_connectionErrors", "TargetConnectionErrorCount", "Sum"],
      ["new_p95", "TargetResponseTime", "p95"],
      ["old_requests", "RequestCount", "Sum"],
      ["old_errors5xx", "HTTPCode_Target_5XX_Count", "Sum"],
      ["old_connectionErrors", "TargetConnectionErrorCount", "Sum"],
      ["old_p95", "TargetResponseTime", "p95"],
    ]);
    expect(queries[4]?.MetricStat).toMatchObject({
      Period: 60,
      Metric: {
        Namespace: "AWS/ApplicationELB",
        Dimensions: [
          { Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188" },
          { Name: "TargetGroup", Value: "targetgroup/api-blue/943f017f100becff" },
        ],
      },
    });
  });

  it("maps results to one sample per complete period, a missing count being zero", () => {
    const at = (minute: number) => new Date(T0 + minute * 60_000);
    const samples = samplesFrom(window, [
      { Id: "new_requests", Timestamps: [at(0), at(2)], Values: [50, 30] },
      { Id: "new_errors5xx", Timestamps: [at(0)], Values: [24] },
      // Connection errors (502s) count as the group's 5xx.
      { Id: "new_connectionErrors", Timestamps: [at(0), at(2)], Values: [1, 3] },
      { Id: "new_p95", Timestamps: [at(0), at(2)], Values: [0.02, 0.03] },
      { Id: "old_requests", Timestamps: [at(0), at(1), at(2)], Values: [40, 41, 42] },
      { Id: "old_errors5xx", Timestamps: [], Values: [] },
      { Id: "old_p95", Timestamps: [at(1)], Values: [0.01] },
    ]);
    // The window's partial first (11:59:30) and last (12:03:00–10) periods are left out.
    expect(samples).toEqual([
      {
        start: at(0),
        new: { requests: 50, errors5xx: 25, p95Seconds: 0.02 },
        old: { requests: 40, errors5xx: 0 },
      },
      {
        start: at(1),
        new: { requests: 0, errors5xx: 0 },
        old: { requests: 41, errors5xx: 0, p95Seconds: 0.01 },
      },
      {
        start: at(2),
        new: { requests: 30, errors5xx: 3, p95Seconds: 0.03 },
        old: { requests: 42, errors5xx: 0 },
      },
    ]);
  });
});
