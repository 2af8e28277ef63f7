import type { SampleSet } from "./metrics";

/** The statistics CloudWatch computes over a period: the five simple ones and pNN percentiles. */
export type Statistic = "Sum" | "SampleCount" | "Average" | "Minimum" | "Maximum";

export const SIMPLE_STATISTICS: readonly string[] = [
  "Sum",
  "SampleCount",
  "Average",
  "Minimum",
  "Maximum",
];

export const isStatistic = (name: string): boolean =>
  SIMPLE_STATISTICS.includes(name) || percentileOf(name) !== undefined;

/** `p99` → 99, `p99.9` → 99.9; undefined for anything else. */
export const percentileOf = (name: string): number | undefined => {
  const match = /^p(\d{1,2}(\.\d+)?|100)$/.exec(name);
  return match ? Number(match[1]) : undefined;
};

/**
 * One statistic over the sample sets of a period; undefined when the period has no data (a
 * missing datapoint, which alarms treat by their TreatMissingData).
 */
export const statisticOf = (stat: string, samples: SampleSet[]): number | undefined => {
  if (samples.length === 0) return undefined;
  const count = samples.reduce((n, s) => n + s.count, 0);
  const sum = samples.reduce((n, s) => n + s.sum, 0);
  switch (stat) {
    case "Sum":
      return sum;
    case "SampleCount":
      return count;
    case "Average":
      return count === 0 ? undefined : sum / count;
    case "Minimum":
      return Math.min(...samples.map((s) => s.min));
    case "Maximum":
      return Math.max(...samples.map((s) => s.max));
  }
  const p = percentileOf(stat);
  if (p === undefined) return undefined;
  // Percentiles need the values themselves; sets put as StatisticValues have none.
  const values = samples.flatMap((s) => s.values ?? []).sort((a, b) => a.value - b.value);
  const total = values.reduce((n, v) => n + v.count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const v of values) {
    seen += v.count;
    if (seen >= rank) return v.value;
  }
  return values.at(-1)?.value;
};
