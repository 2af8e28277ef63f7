import { AwsError } from "../../server/errors";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";
import { type AlarmState, evaluate, type MetricAlarm, validateAlarm } from "./alarms";
import type { Dimension, MetricId } from "./metrics";
import { MetricStore } from "./metrics";
import { isStatistic, statisticOf } from "./statistics";
import { booleanOf, inputOf, millisOf, operationOf, outputOf, wireOf, XMLNS } from "./wire";

/** CloudWatch metrics and metric alarms; ECS reads alarm states for its deployment alarms. */
export interface MonitoringService extends LocalcloudService {
  /** The alarm's current state, or undefined when no alarm has that name. */
  alarmState(name: string): AlarmState | undefined;
  /** Period × EvaluationPeriods of an alarm in seconds (what ECS's bake time is derived from). */
  alarmWindowSeconds(name: string): number | undefined;
  /**
   * Publishes one value into an `AWS/…` namespace, as AWS services do on their own (the load
   * balancers' per-request metrics); PutMetricData refuses those namespaces to callers.
   */
  record(metric: MetricId, value: number, unit: string): void;
  /** Runs one evaluation pass now (tests). */
  evaluateAlarms(): void;
}

export const monitoringService: ServiceFactory = {
  name: "monitoring",
  create: (context) => createMonitoringService(context),
};

type Input = Record<string, unknown>;
const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);
const numberOf = (value: unknown): number | undefined =>
  value === undefined || value === null || value === "" ? undefined : Number(value);
const dimensionsOf = (value: unknown): Dimension[] =>
  ((value as Input[] | undefined) ?? []).map((d) => ({
    Name: String(d.Name),
    Value: String(d.Value),
  }));
const invalid = (message: string) => new AwsError("InvalidParameterValue", message);

const createMonitoringService = (context: ServiceContext): MonitoringService => {
  const store = new MetricStore();
  // Alarms live in memory like the metrics they watch: a restarted localcloud starts empty.
  const alarms = new Map<string, MetricAlarm>();
  let timer: NodeJS.Timeout | undefined;

  /** A period of P seconds lasts P × timeScale on the emulation's clock, like its other waits. */
  const periodMs = (seconds: number) => Math.max(1, seconds * 1000 * context.timeScale);

  const evaluateAll = () => {
    const now = Date.now();
    for (const alarm of alarms.values()) {
      const result = evaluate(alarm, store, now, periodMs(alarm.Period));
      if (!result) continue;
      alarm.StateReasonData = result.reasonData;
      if (result.state === alarm.StateValue) continue;
      alarm.StateValue = result.state;
      alarm.StateReason = result.reason;
      alarm.StateUpdatedTimestamp = now;
    }
  };

  const describe = (alarm: MetricAlarm) => ({
    ...alarm,
    StateUpdatedTimestamp: new Date(alarm.StateUpdatedTimestamp),
    StateTransitionedTimestamp: new Date(alarm.StateUpdatedTimestamp),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.AlarmConfigurationUpdatedTimestamp),
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
  });

  const operations: Record<string, (input: Input) => Record<string, unknown>> = {
    PutMetricData(input) {
      const namespace = text(input.Namespace);
      if (!namespace) throw invalid("The parameter Namespace is required.");
      if (namespace.startsWith("AWS/")) {
        throw invalid("The value AWS/ for parameter Namespace is invalid.");
      }
      const now = Date.now();
      for (const datum of (input.MetricData as Input[] | undefined) ?? []) {
        const metric: MetricId = {
          Namespace: namespace,
          MetricName: String(datum.MetricName ?? ""),
          Dimensions: dimensionsOf(datum.Dimensions),
        };
        if (!metric.MetricName)
          throw invalid("The parameter MetricData.member.MetricName is required.");
        const at = millisOf(datum.Timestamp) ?? now;
        const unit = text(datum.Unit);
        const base = { at, ...(unit ? { unit } : {}) };
        const stats = datum.StatisticValues as Input | undefined;
        const values = (datum.Values as unknown[] | undefined)?.map(Number);
        if (stats) {
          store.put(metric, {
            ...base,
            sum: Number(stats.Sum),
            count: Number(stats.SampleCount),
            min: Number(stats.Minimum),
            max: Number(stats.Maximum),
          });
        } else if (values && values.length > 0) {
          const counts = (datum.Counts as unknown[] | undefined)?.map(Number) ?? [];
          const pairs = values.map((value, i) => ({ value, count: counts[i] ?? 1 }));
          store.put(metric, {
            ...base,
            sum: pairs.reduce((n, p) => n + p.value * p.count, 0),
            count: pairs.reduce((n, p) => n + p.count, 0),
            min: Math.min(...values),
            max: Math.max(...values),
            values: pairs,
          });
        } else {
          const value = numberOf(datum.Value);
          if (value === undefined || Number.isNaN(value)) {
            throw invalid("The parameter MetricData.member.Value is required.");
          }
          store.put(metric, {
            ...base,
            sum: value,
            count: 1,
            min: value,
            max: value,
            values: [{ value, count: 1 }],
          });
        }
      }
      return {};
    },

    GetMetricData(input) {
      const start = millisOf(input.StartTime);
      const end = millisOf(input.EndTime);
      if (start === undefined || end === undefined) {
        throw invalid("The parameters StartTime and EndTime are required.");
      }
      const descending = (text(input.ScanBy) ?? "TimestampDescending") === "TimestampDescending";
      const queries = (input.MetricDataQueries as Input[] | undefined) ?? [];
      const results = queries
        .filter((q) => booleanOf(q.ReturnData, true))
        .map((q) => {
          const stat = q.MetricStat as Input | undefined;
          if (!stat)
            throw invalid(`localcloud does not evaluate metric math (query ${String(q.Id)}).`);
          const metric = stat.Metric as Input;
          const id: MetricId = {
            Namespace: String(metric.Namespace),
            MetricName: String(metric.MetricName),
            Dimensions: dimensionsOf(metric.Dimensions),
          };
          const period = Number(stat.Period);
          const statistic = String(stat.Stat);
          if (!isStatistic(statistic)) throw invalid(`The statistic ${statistic} is not valid.`);
          // GetMetricData's periods are real seconds, aligned to the epoch like CloudWatch's.
          const step = period * 1000;
          const timestamps: Date[] = [];
          const values: number[] = [];
          for (let from = Math.floor(start / step) * step; from < end; from += step) {
            const value = statisticOf(
              statistic,
              store.samples(id, Math.max(from, start), Math.min(from + step, end)),
            );
            if (value === undefined) continue;
            timestamps.push(new Date(from));
            values.push(value);
          }
          if (descending) {
            timestamps.reverse();
            values.reverse();
          }
          return {
            Id: String(q.Id),
            Label: text(q.Label) ?? id.MetricName,
            Timestamps: timestamps,
            Values: values,
            StatusCode: "Complete",
          };
        });
      return { MetricDataResults: results, Messages: [] };
    },

    PutMetricAlarm(input) {
      const name = String(input.AlarmName ?? "");
      const now = Date.now();
      const evaluationPeriods = Number(input.EvaluationPeriods);
      const alarm = {
        AlarmName: name,
        ...(input.AlarmDescription !== undefined
          ? { AlarmDescription: String(input.AlarmDescription) }
          : {}),
        ActionsEnabled: booleanOf(input.ActionsEnabled, true),
        Namespace: String(input.Namespace ?? ""),
        MetricName: String(input.MetricName ?? ""),
        Dimensions: dimensionsOf(input.Dimensions),
        ...(input.Statistic !== undefined ? { Statistic: String(input.Statistic) } : {}),
        ...(input.ExtendedStatistic !== undefined
          ? { ExtendedStatistic: String(input.ExtendedStatistic) }
          : {}),
        Period: Number(input.Period),
        EvaluationPeriods: evaluationPeriods,
        DatapointsToAlarm: numberOf(input.DatapointsToAlarm) ?? evaluationPeriods,
        Threshold: Number(input.Threshold),
        ComparisonOperator: String(input.ComparisonOperator) as MetricAlarm["ComparisonOperator"],
        TreatMissingData: (text(input.TreatMissingData) ??
          "missing") as MetricAlarm["TreatMissingData"],
        ...(input.Unit !== undefined ? { Unit: String(input.Unit) } : {}),
      };
      validateAlarm(alarm);
      const existing = alarms.get(name);
      // CloudWatch: an update overwrites the configuration but leaves the state as it was.
      alarms.set(name, {
        ...alarm,
        AlarmArn: `arn:aws:cloudwatch:${context.region}:${context.accountId}:alarm:${name}`,
        StateValue: existing?.StateValue ?? "INSUFFICIENT_DATA",
        StateReason: existing?.StateReason ?? "Unchecked: Initial alarm creation",
        ...(existing?.StateReasonData ? { StateReasonData: existing.StateReasonData } : {}),
        StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
        AlarmConfigurationUpdatedTimestamp: now,
      });
      return {};
    },

    DescribeAlarms(input) {
      const names = (input.AlarmNames as unknown[] | undefined)?.map(String);
      const prefix = text(input.AlarmNamePrefix);
      const state = text(input.StateValue);
      const types = (input.AlarmTypes as unknown[] | undefined)?.map(String);
      const wantsMetric = !types || types.includes("MetricAlarm");
      const found = [...alarms.values()]
        .filter((a) => !names || names.includes(a.AlarmName))
        .filter((a) => !prefix || a.AlarmName.startsWith(prefix))
        .filter((a) => !state || a.StateValue === state)
        .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
      return { MetricAlarms: wantsMetric ? found.map(describe) : [], CompositeAlarms: [] };
    },

    DeleteAlarms(input) {
      const names = ((input.AlarmNames as unknown[] | undefined) ?? []).map(String);
      const unknown = names.filter((name) => !alarms.has(name));
      if (unknown.length > 0) {
        throw new AwsError("ResourceNotFound", `${unknown.join(", ")} not found`, 404);
      }
      for (const name of names) alarms.delete(name);
      return {};
    },
  };

  return {
    name: "monitoring",
    signingName: "monitoring",
    protocol: "query",
    xmlns: XMLNS,
    protocolOf: (request) => wireOf(request),
    throttlingError: { code: "Throttling", status: 400, message: "Rate exceeded" },
    operationOf,
    async handle(request, operation) {
      const op = operations[operation];
      if (!op) {
        throw new AwsError("InvalidAction", `localcloud does not emulate CloudWatch ${operation}`);
      }
      return outputOf(request, operation, op(inputOf(request)));
    },
    async start() {
      // CloudWatch evaluates high-resolution alarms every 10 s; on the emulation's clock that is
      // ten times a scaled second at most, at least every 50 ms.
      timer = setInterval(evaluateAll, Math.max(50, Math.min(1000, 1000 * context.timeScale)));
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
    alarmState: (name) => alarms.get(name)?.StateValue,
    alarmWindowSeconds: (name) => {
      const alarm = alarms.get(name);
      return alarm ? alarm.Period * alarm.EvaluationPeriods : undefined;
    },
    record: (metric, value, unit) => store.record(metric, value, unit),
    evaluateAlarms: evaluateAll,
  };
};
