import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MonitoringService } from "../../src/services/monitoring";
import { clientConfig, startTestCloud } from "../helpers/cloud";

const run = promisify(execFile);
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let cw: CloudWatchClient;
const NS = "Test";

// One second of CloudWatch lasts 20 ms here: a 10 s alarm period is 200 ms.
beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: 0.02 });
  cw = new CloudWatchClient(clientConfig(cloud));
});
afterAll(async () => {
  await cloud?.dispose();
});

const cli = async (...args: string[]) => {
  const { stdout } = await run(
    "/usr/bin/aws",
    ["cloudwatch", ...args, "--endpoint-url", cloud.endpoint, "--output", "json"],
    { env: { ...process.env, ...cloud.env(), AWS_CONFIG_FILE: "/dev/null" } },
  );
  return stdout ? JSON.parse(stdout) : {};
};
const monitoring = () => cloud.service<MonitoringService>("monitoring");
const stateOf = async (name: string) =>
  (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
const until = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe("CloudWatch metrics", () => {
  it("the SDK (AWS JSON 1.0) puts data and reads Sum, SampleCount, Average, Minimum, Maximum and p50 back per period", async () => {
    const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    const dims = [{ Name: "Group", Value: "a" }];
    await cw.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          {
            MetricName: "Latency",
            Dimensions: dims,
            Timestamp: new Date(start.getTime() + 1000),
            Value: 2,
          },
          {
            MetricName: "Latency",
            Dimensions: dims,
            Timestamp: new Date(start.getTime() + 2000),
            Values: [4, 10],
            Counts: [1, 2],
          },
          {
            MetricName: "Latency",
            Dimensions: dims,
            Timestamp: new Date(start.getTime() + 61_000),
            StatisticValues: { SampleCount: 2, Sum: 7, Minimum: 3, Maximum: 4 },
          },
          // Another dimension set is another metric.
          {
            MetricName: "Latency",
            Dimensions: [{ Name: "Group", Value: "b" }],
            Timestamp: new Date(start.getTime() + 1000),
            Value: 100,
          },
        ],
      }),
    );
    const metric = { Namespace: NS, MetricName: "Latency", Dimensions: dims };
    const stats = ["Sum", "SampleCount", "Average", "Minimum", "Maximum", "p50"];
    const result = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: new Date(start.getTime() + 120_000),
        ScanBy: "TimestampAscending",
        MetricDataQueries: stats.map((Stat, i) => ({
          Id: `q${i}`,
          MetricStat: { Metric: metric, Period: 60, Stat },
        })),
      }),
    );
    const byId = Object.fromEntries((result.MetricDataResults ?? []).map((r) => [r.Id, r]));
    expect(byId.q0?.Timestamps).toEqual([start, new Date(start.getTime() + 60_000)]);
    expect(byId.q0?.Values).toEqual([26, 7]);
    expect(byId.q1?.Values).toEqual([4, 2]);
    expect(byId.q2?.Values).toEqual([6.5, 3.5]);
    expect(byId.q3?.Values).toEqual([2, 3]);
    expect(byId.q4?.Values).toEqual([10, 4]);
    // The second minute was put as statistic values only: no percentile can be had for it.
    expect(byId.q5?.Values).toEqual([4]);
  });

  it("refuses an alarm period CloudWatch does not accept", async () => {
    await expect(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: "bad",
          Namespace: NS,
          MetricName: "X",
          Statistic: "Sum",
          Period: 15,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "LessThanThreshold",
        }),
      ),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/^Validation/),
      message: expect.stringContaining("Period must be 10, 20, 30 or a multiple of 60"),
    });
  });
});

describe("CloudWatch alarms", () => {
  it("a dead man's switch: OK while data arrives, ALARM when it stops (missing data breaching), OK again once missing data no longer breaches", async () => {
    const name = "heartbeat";
    const alarm = {
      AlarmName: name,
      Namespace: NS,
      MetricName: "Heartbeat",
      Dimensions: [{ Name: "Environment", Value: "prod" }],
      Statistic: "Sum" as const,
      Period: 10,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold" as const,
      TreatMissingData: "breaching",
    };
    await cw.send(new PutMetricAlarmCommand(alarm));
    // A new alarm is INSUFFICIENT_DATA until its first evaluation. Evaluations run every 50 ms
    // here, so a loaded machine may read the state after the first one, which finds two missing
    // periods, treated as breaching.
    const created = await stateOf(name);
    expect(created).toMatchObject(
      created?.StateValue === "INSUFFICIENT_DATA"
        ? { StateReason: "Unchecked: Initial alarm creation" }
        : { StateValue: "ALARM", StateReason: expect.stringMatching(/treated as \[Breaching\]/) },
    );
    const beat = () =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [
            {
              MetricName: "Heartbeat",
              Dimensions: alarm.Dimensions,
              Value: 1,
              StorageResolution: 1,
            },
          ],
        }),
      );
    const beating = setInterval(() => void beat(), 40);
    try {
      await until("OK", async () =>
        (await stateOf(name))?.StateValue === "OK" ? true : undefined,
      );
      expect((await stateOf(name))?.StateReason).toMatch(
        /^Threshold Crossed: [12] datapoints? \[.*\] (was|were) not less than the threshold \(1\.0\)\.$/,
      );
    } finally {
      clearInterval(beating);
    }
    const alarmed = await until("ALARM", async () => {
      const found = await stateOf(name);
      return found?.StateValue === "ALARM" ? found : undefined;
    });
    expect(alarmed.StateReason).toMatch(/treated as \[Breaching\]/);
    // Updating an alarm leaves its state as it was until the next evaluation.
    await cw.send(new PutMetricAlarmCommand({ ...alarm, TreatMissingData: "notBreaching" }));
    expect((await stateOf(name))?.StateValue).toBe("ALARM");
    await until("OK once missing data is not breaching", async () =>
      (await stateOf(name))?.StateValue === "OK" ? true : undefined,
    );
    expect(monitoring().alarmState(name)).toBe("OK");
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
    expect(await stateOf(name)).toBeUndefined();
  });

  it("M out of N: one breaching datapoint of three does not alarm when two are needed", async () => {
    const name = "two-of-three";
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: NS,
        MetricName: "Errors",
        Statistic: "Maximum",
        Period: 10,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    const period = 200;
    const now = Date.now();
    const last = Math.floor(now / period) * period - period;
    const put = (at: number, value: number) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [{ MetricName: "Errors", Timestamp: new Date(at + 10), Value: value }],
        }),
      );
    await put(last, 9);
    monitoring().evaluateAlarms();
    expect((await stateOf(name))?.StateValue).toBe("OK");
    await put(last - period, 7);
    monitoring().evaluateAlarms();
    const found = await stateOf(name);
    // The evaluation range may have moved on by a period since: then one of the two is out of it.
    if (Math.floor(Date.now() / period) * period - period === last) {
      expect(found?.StateValue).toBe("ALARM");
      expect(found?.StateReason).toMatch(
        /^Threshold Crossed: 2 out of the last 2 datapoints .* were greater than the threshold \(5\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/,
      );
    }
  });

  it("the AWS CLI (Query protocol) puts data, reads it back, and describes and deletes alarms", async () => {
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await cli(
      "put-metric-data",
      "--namespace",
      NS,
      "--metric-name",
      "Cli",
      "--dimensions",
      "Env=cli",
      "--value",
      "3",
      "--timestamp",
      at.toISOString(),
    );
    await cli(
      "put-metric-data",
      "--namespace",
      NS,
      "--metric-name",
      "Cli",
      "--dimensions",
      "Env=cli",
      "--value",
      "5",
      "--timestamp",
      at.toISOString(),
    );
    const data = await cli(
      "get-metric-data",
      "--start-time",
      new Date(at.getTime() - 60_000).toISOString(),
      "--end-time",
      new Date(at.getTime() + 60_000).toISOString(),
      "--metric-data-queries",
      JSON.stringify([
        {
          Id: "m",
          MetricStat: {
            Metric: {
              Namespace: NS,
              MetricName: "Cli",
              Dimensions: [{ Name: "Env", Value: "cli" }],
            },
            Period: 60,
            Stat: "Sum",
          },
        },
      ]),
    );
    expect(data.MetricDataResults).toEqual([
      {
        Id: "m",
        Label: "Cli",
        Timestamps: [expect.stringMatching(new RegExp(`^${at.toISOString().slice(0, 16)}`))],
        Values: [8],
        StatusCode: "Complete",
      },
    ]);
    await cli(
      "put-metric-alarm",
      "--alarm-name",
      "cli-alarm",
      "--namespace",
      NS,
      "--metric-name",
      "Cli",
      "--statistic",
      "Sum",
      "--period",
      "60",
      "--evaluation-periods",
      "1",
      "--threshold",
      "1",
      "--comparison-operator",
      "LessThanThreshold",
      "--treat-missing-data",
      "breaching",
    );
    const described = await cli("describe-alarms", "--alarm-names", "cli-alarm");
    expect(described.MetricAlarms).toHaveLength(1);
    expect(described.MetricAlarms[0]).toMatchObject({
      AlarmName: "cli-alarm",
      Period: 60,
      Threshold: 1,
      TreatMissingData: "breaching",
      ComparisonOperator: "LessThanThreshold",
    });
    expect(["INSUFFICIENT_DATA", "OK", "ALARM"]).toContain(described.MetricAlarms[0].StateValue);
    await cli("delete-alarms", "--alarm-names", "cli-alarm");
    expect((await cli("describe-alarms", "--alarm-names", "cli-alarm")).MetricAlarms).toEqual([]);
  });
});
