import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import type { GroupSample, IntervalSamples } from "./verdict";

/**
 * The effect side of the analysis: the ALB metrics CloudWatch keeps for two target groups
 * (namespace AWS/ApplicationELB, dimensions LoadBalancer + TargetGroup), read with one
 * GetMetricData call per window and turned into per-interval samples.
 */
export interface MetricWindow {
  /** Load balancer ARN (or its CloudWatch dimension value `app/<name>/<id>`). */
  loadBalancer: string;
  /** Target group ARNs (or `targetgroup/<name>/<id>`). */
  newTargetGroup: string;
  oldTargetGroup: string;
  start: Date;
  end: Date;
  /** The interval: a CloudWatch period (60 or a multiple; 1, 5, 10, 30 for high resolution). */
  periodSeconds: number;
}

/** `arn:…:loadbalancer/app/web/abc` → `app/web/abc`; a dimension value is kept as it is. */
export const loadBalancerDimension = (arnOrValue: string): string => {
  const marker = ":loadbalancer/";
  const at = arnOrValue.indexOf(marker);
  return at < 0 ? arnOrValue : arnOrValue.slice(at + marker.length);
};

/** `arn:…:targetgroup/api/abc` → `targetgroup/api/abc`. */
export const targetGroupDimension = (arnOrValue: string): string => {
  const at = arnOrValue.indexOf(":targetgroup/");
  return at < 0 ? arnOrValue : arnOrValue.slice(at + 1);
};

const SERIES = [
  { key: "requests", metric: "RequestCount", stat: "Sum" },
  { key: "errors5xx", metric: "HTTPCode_Target_5XX_Count", stat: "Sum" },
  // A target that refuses or drops the connection is a 502 to the client, counted here.
  { key: "connectionErrors", metric: "TargetConnectionErrorCount", stat: "Sum" },
  { key: "p95", metric: "TargetResponseTime", stat: "p95" },
] as const;
const GROUPS = ["new", "old"] as const;

/**
 * The eight queries: requests, target 5xx, target connection errors and p95 latency, for the new
 * and the old group.
 */
export const metricQueries = (window: MetricWindow): MetricDataQuery[] =>
  GROUPS.flatMap((group) =>
    SERIES.map(({ key, metric, stat }) => ({
      Id: `${group}_${key}`,
      MetricStat: {
        Metric: {
          Namespace: "AWS/ApplicationELB",
          MetricName: metric,
          Dimensions: [
            { Name: "LoadBalancer", Value: loadBalancerDimension(window.loadBalancer) },
            {
              Name: "TargetGroup",
              Value: targetGroupDimension(
                group === "new" ? window.newTargetGroup : window.oldTargetGroup,
              ),
            },
          ],
        },
        Period: window.periodSeconds,
        Stat: stat,
      },
      ReturnData: true,
    })),
  );

/**
 * Maps GetMetricData results to one sample per complete period of the window (aligned to the
 * epoch, as CloudWatch aligns them). The ALB reports a count only when it is not zero, so a
 * missing datapoint is 0 requests / 0 errors, and a missing p95 is "no request".
 */
export const samplesFrom = (
  window: MetricWindow,
  results: MetricDataResult[],
): IntervalSamples[] => {
  const step = window.periodSeconds * 1000;
  const valueAt = (id: string, at: number): number | undefined => {
    const result = results.find((r) => r.Id === id);
    const index = (result?.Timestamps ?? []).findIndex((t) => t.getTime() === at);
    return index < 0 ? undefined : result?.Values?.[index];
  };
  const groupAt = (group: (typeof GROUPS)[number], at: number): GroupSample => {
    const p95 = valueAt(`${group}_p95`, at);
    return {
      requests: valueAt(`${group}_requests`, at) ?? 0,
      errors5xx:
        (valueAt(`${group}_errors5xx`, at) ?? 0) + (valueAt(`${group}_connectionErrors`, at) ?? 0),
      ...(p95 === undefined ? {} : { p95Seconds: p95 }),
    };
  };
  const samples: IntervalSamples[] = [];
  const first = Math.ceil(window.start.getTime() / step) * step;
  for (let at = first; at + step <= window.end.getTime(); at += step) {
    samples.push({ start: new Date(at), new: groupAt("new", at), old: groupAt("old", at) });
  }
  return samples;
};

/** Reads the window's metrics (following NextToken) and returns one sample per period. */
export const readIntervalSamples = async (
  cloudwatch: CloudWatchClient,
  window: MetricWindow,
): Promise<IntervalSamples[]> => {
  const merged = new Map<string, MetricDataResult>();
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: metricQueries(window),
        StartTime: window.start,
        EndTime: window.end,
        ScanBy: "TimestampAscending",
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      const id = result.Id ?? "";
      const seen = merged.get(id);
      merged.set(id, {
        Id: id,
        Timestamps: [...(seen?.Timestamps ?? []), ...(result.Timestamps ?? [])],
        Values: [...(seen?.Values ?? []), ...(result.Values ?? [])],
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return samplesFrom(window, [...merged.values()]);
};
