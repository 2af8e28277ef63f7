import { AwsError } from "../../server/errors";
import type { Dimension, MetricStore } from "./metrics";
import { isStatistic, statisticOf } from "./statistics";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";
export type ComparisonOperator =
  | "GreaterThanOrEqualToThreshold"
  | "GreaterThanThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

export interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  /** A simple statistic or, as ExtendedStatistic, a percentile. */
  Statistic?: string;
  ExtendedStatistic?: string;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: ComparisonOperator;
  TreatMissingData: TreatMissingData;
  Unit?: string;
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
}

const OPERATORS: Record<
  ComparisonOperator,
  { test: (v: number, t: number) => boolean; words: string }
> = {
  GreaterThanOrEqualToThreshold: { test: (v, t) => v >= t, words: "greater than or equal to" },
  GreaterThanThreshold: { test: (v, t) => v > t, words: "greater than" },
  LessThanThreshold: { test: (v, t) => v < t, words: "less than" },
  LessThanOrEqualToThreshold: { test: (v, t) => v <= t, words: "less than or equal to" },
};
const MISSING: readonly string[] = ["breaching", "notBreaching", "ignore", "missing"];

const invalid = (message: string) => new AwsError("ValidationError", message);

/**
 * PutMetricAlarm's checks, as CloudWatch documents them: a period of 10, 20 or 30 seconds (a
 * high-resolution alarm) or a multiple of 60; Period × EvaluationPeriods at most one day (a week
 * for hourly periods); DatapointsToAlarm at most EvaluationPeriods; one statistic.
 */
export function validateAlarm(
  alarm: Omit<
    MetricAlarm,
    | "StateValue"
    | "StateReason"
    | "StateUpdatedTimestamp"
    | "AlarmConfigurationUpdatedTimestamp"
    | "AlarmArn"
  >,
): void {
  if (!alarm.AlarmName)
    throw invalid(
      "1 validation error detected: Value null at 'alarmName' failed to satisfy constraint: Member must not be null",
    );
  const period = alarm.Period;
  if (
    !Number.isInteger(period) ||
    !(period === 10 || period === 20 || period === 30 || (period >= 60 && period % 60 === 0))
  ) {
    throw invalid("Period must be 10, 20, 30 or a multiple of 60");
  }
  if (!Number.isInteger(alarm.EvaluationPeriods) || alarm.EvaluationPeriods < 1) {
    throw invalid("EvaluationPeriods must be at least 1");
  }
  const longest = period >= 3600 ? 7 * 86_400 : 86_400;
  if (period * alarm.EvaluationPeriods > longest) {
    throw invalid(
      `The evaluation period (Period * EvaluationPeriods) must not exceed ${longest} seconds`,
    );
  }
  if (alarm.DatapointsToAlarm < 1 || alarm.DatapointsToAlarm > alarm.EvaluationPeriods) {
    throw invalid("DatapointsToAlarm must be between 1 and EvaluationPeriods");
  }
  if (!OPERATORS[alarm.ComparisonOperator]) {
    throw invalid(`Invalid ComparisonOperator: ${alarm.ComparisonOperator}`);
  }
  if (!MISSING.includes(alarm.TreatMissingData)) {
    throw invalid("TreatMissingData must be breaching, notBreaching, ignore or missing");
  }
  const stat = alarm.Statistic ?? alarm.ExtendedStatistic;
  if (
    (alarm.Statistic === undefined) === (alarm.ExtendedStatistic === undefined) ||
    !stat ||
    !isStatistic(stat)
  ) {
    throw invalid("Exactly one of Statistic or ExtendedStatistic must be specified");
  }
  if (!alarm.Namespace || !alarm.MetricName)
    throw invalid("Namespace and MetricName must be specified");
}

/** CloudWatch's timestamps in state reasons: dd/MM/yy HH:mm:ss, UTC. */
const stamp = (ms: number): string => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
};
const number = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

export interface Evaluation {
  state: AlarmState;
  reason: string;
  reasonData: string;
}

/**
 * One evaluation of an alarm at `now`, over its last EvaluationPeriods complete periods (aligned
 * to the epoch). A period without data is missing. As CloudWatch documents it: when fewer real
 * datapoints than DatapointsToAlarm were retrieved, missing ones are filled in per
 * TreatMissingData (breaching counts against the threshold, notBreaching for it); `ignore` keeps
 * the state and `missing` goes to INSUFFICIENT_DATA when the whole range is missing. The alarm is
 * in ALARM when at least DatapointsToAlarm datapoints breach, else OK.
 *
 * `periodMs` is the real length of one period: Period seconds times the emulation's time scale.
 */
export function evaluate(
  alarm: MetricAlarm,
  store: MetricStore,
  now: number,
  periodMs: number,
): Evaluation | undefined {
  const stat = (alarm.Statistic ?? alarm.ExtendedStatistic) as string;
  const op = OPERATORS[alarm.ComparisonOperator];
  const end = Math.floor(now / periodMs) * periodMs;
  const metric = {
    Namespace: alarm.Namespace,
    MetricName: alarm.MetricName,
    Dimensions: alarm.Dimensions,
  };
  const points: Array<{ at: number; value: number | undefined }> = [];
  for (let i = alarm.EvaluationPeriods; i >= 1; i--) {
    const from = end - i * periodMs;
    points.push({
      at: from,
      value: statisticOf(stat, store.samples(metric, from, from + periodMs)),
    });
  }
  const present = points.filter((p): p is { at: number; value: number } => p.value !== undefined);
  const missing = points.length - present.length;
  const reasonData = JSON.stringify({
    version: "1.0",
    queryDate: new Date(now).toISOString(),
    startDate: new Date(points[0]?.at ?? end).toISOString(),
    statistic: stat,
    period: alarm.Period,
    recentDatapoints: present.map((p) => p.value),
    threshold: alarm.Threshold,
    evaluatedDatapoints: points.map((p) => ({
      timestamp: new Date(p.at).toISOString(),
      ...(p.value === undefined ? {} : { value: p.value }),
    })),
  });
  const threshold = number(alarm.Threshold);
  const breaching = present.filter((p) => op.test(p.value, alarm.Threshold));
  const listed = (list: Array<{ at: number; value: number }>) =>
    `[${list.map((p) => `${number(p.value)} (${stamp(p.at)})`).join(", ")}]`;

  if (present.length === 0) {
    const periods = `no datapoints were received for ${missing} period${missing === 1 ? "" : "s"}`;
    switch (alarm.TreatMissingData) {
      case "ignore":
        return undefined;
      case "missing":
        return { state: "INSUFFICIENT_DATA", reason: `Insufficient Data: ${periods}.`, reasonData };
      case "breaching":
        return {
          state: missing >= alarm.DatapointsToAlarm ? "ALARM" : "OK",
          reason: `Threshold Crossed: ${periods} and ${missing} missing datapoint${missing === 1 ? " was" : "s were"} treated as [Breaching].`,
          reasonData,
        };
      case "notBreaching":
        return {
          state: "OK",
          reason: `Threshold Crossed: ${periods} and ${missing} missing datapoint${missing === 1 ? " was" : "s were"} treated as [NonBreaching].`,
          reasonData,
        };
    }
  }
  // Missing datapoints are filled in only when the real ones are too few to decide.
  const filled =
    present.length < alarm.DatapointsToAlarm && alarm.TreatMissingData === "breaching"
      ? missing
      : 0;
  const total = breaching.length + filled;
  const filledWords =
    filled > 0
      ? ` and ${filled} missing datapoint${filled === 1 ? " was" : "s were"} treated as [Breaching]`
      : "";
  if (total >= alarm.DatapointsToAlarm) {
    return {
      state: "ALARM",
      reason: `Threshold Crossed: ${breaching.length} out of the last ${present.length} datapoints ${listed(breaching)} ${breaching.length === 1 ? "was" : "were"} ${op.words} the threshold (${threshold})${filledWords} (minimum ${alarm.DatapointsToAlarm} datapoint${alarm.DatapointsToAlarm === 1 ? "" : "s"} for OK -> ALARM transition).`,
      reasonData,
    };
  }
  if (
    (alarm.TreatMissingData === "ignore" || alarm.TreatMissingData === "missing") &&
    present.length < alarm.DatapointsToAlarm
  ) {
    // Too few real datapoints to decide either way: the state stays.
    return undefined;
  }
  const fine = present.filter((p) => !op.test(p.value, alarm.Threshold));
  return {
    state: "OK",
    reason: `Threshold Crossed: ${fine.length} datapoint${fine.length === 1 ? "" : "s"} ${listed(fine)} ${fine.length === 1 ? "was" : "were"} not ${op.words} the threshold (${threshold}).`,
    reasonData,
  };
}
