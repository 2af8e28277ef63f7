/**
 * CloudWatch's metric store, kept generic: any namespace, metric and dimensions, as shipline's
 * heartbeat and (later) the load balancers' per-target-group metrics put them. Each put is kept as
 * a sample set (sum, count, min, max and, when given, the raw values for percentiles), the way
 * PutMetricData's Value, Values/Counts and StatisticValues describe data.
 */
export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricId {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
}

export interface SampleSet {
  /** When the data was measured (ms since the epoch). */
  at: number;
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Individual values with their counts, for percentiles (absent for StatisticValues). */
  values?: Array<{ value: number; count: number }>;
  unit?: string;
}

/** CloudWatch keeps data for up to 15 months; localcloud keeps what a test or a demo uses. */
const RETENTION_MS = 3 * 60 * 60 * 1000;

/** One metric is namespace + name + its full set of dimensions (order does not matter). */
export const metricKey = (metric: MetricId): string =>
  JSON.stringify([
    metric.Namespace,
    metric.MetricName,
    [...metric.Dimensions]
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map((d) => [d.Name, d.Value]),
  ]);

export class MetricStore {
  private readonly metrics = new Map<string, { id: MetricId; samples: SampleSet[] }>();

  put(metric: MetricId, sample: SampleSet): void {
    const key = metricKey(metric);
    let entry = this.metrics.get(key);
    if (!entry) {
      entry = { id: metric, samples: [] };
      this.metrics.set(key, entry);
    }
    entry.samples.push(sample);
    const oldest = Date.now() - RETENTION_MS;
    if ((entry.samples[0]?.at ?? oldest) < oldest) {
      entry.samples = entry.samples.filter((s) => s.at >= oldest);
    }
  }

  /**
   * One measured value, as a service that publishes to CloudWatch itself (the load balancers)
   * reports it. Values measured within the same second are merged into one sample set so a busy
   * load balancer keeps one set per metric and second, not one per request.
   */
  record(metric: MetricId, value: number, unit: string, at = Date.now()): void {
    const second = Math.floor(at / 1000) * 1000;
    const last = this.metrics.get(metricKey(metric))?.samples.at(-1);
    if (last && last.at === second && last.unit === unit && last.values) {
      last.sum += value;
      last.count += 1;
      last.min = Math.min(last.min, value);
      last.max = Math.max(last.max, value);
      const same = last.values.find((v) => v.value === value);
      if (same) same.count += 1;
      else last.values.push({ value, count: 1 });
      return;
    }
    this.put(metric, {
      at: second,
      sum: value,
      count: 1,
      min: value,
      max: value,
      values: [{ value, count: 1 }],
      unit,
    });
  }

  /** The samples of one metric measured in [from, to). */
  samples(metric: MetricId, from: number, to: number): SampleSet[] {
    const entry = this.metrics.get(metricKey(metric));
    return entry ? entry.samples.filter((s) => s.at >= from && s.at < to) : [];
  }

  list(): MetricId[] {
    return [...this.metrics.values()].map((entry) => entry.id);
  }
}
