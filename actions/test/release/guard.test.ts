import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, type Service } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock";
import { ReleaseGuard } from "../../src/release/guard";
import { memoryLogger } from "../web/publish-helpers";

const cw = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);

const guardOf = () => {
  const log = memoryLogger();
  const guard = new ReleaseGuard(
    { cloudwatch: new CloudWatchClient({}), ecs: new ECSClient({}) },
    {
      environment: "production",
      cluster: "c",
      service: "web",
      clock: new ManualClock(1_000_000),
      logger: log.logger,
      heartbeatMs: 2_000,
    },
  );
  return { guard, lines: log.lines };
};

const service = (extra: Partial<Service> = {}): Service => ({
  serviceName: "web",
  deploymentConfiguration: {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    alarms: { alarmNames: ["api-5xx"], enable: true, rollback: false },
  },
  ...extra,
});

beforeEach(() => {
  cw.reset();
  ecs.reset();
  cw.on(PutMetricDataCommand).resolves({});
  cw.on(PutMetricAlarmCommand).resolves({});
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: "OK" }] });
  ecs.on(DescribeServicesCommand).resolves({
    services: [{ deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED" }] }],
  });
});

describe("the release guard", () => {
  it("arms before the rollout: heartbeat back over the evaluation range, alarm breaching on missing data, the user's alarms and settings kept", async () => {
    const { guard } = guardOf();
    const configuration = await guard.arm(service());
    await guard.stop();
    expect(configuration).toEqual({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: {
        alarmNames: ["api-5xx", "shipline-production-release-heartbeat"],
        enable: true,
        rollback: true,
      },
    });
    const [first] = cw.commandCalls(PutMetricDataCommand);
    expect(first?.args[0].input.MetricData?.map((d) => d.Timestamp?.getTime())).toEqual([
      1_000_000, 990_000, 980_000,
    ]);
    const alarms = cw.commandCalls(PutMetricAlarmCommand).map((call) => call.args[0].input);
    expect(alarms[0]).toMatchObject({
      AlarmName: "shipline-production-release-heartbeat",
      Namespace: "Shipline",
      Period: 10,
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
    // stop() on an armed guard (a run that ends before its commit point) disarms it.
    expect(alarms.at(-1)?.TreatMissingData).toBe("notBreaching");
  });

  it("waits for the alarm to be OK and for the live deployment to finish its bake time", async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ StateValue: "ALARM" }] })
      .resolves({ MetricAlarms: [{ StateValue: "OK" }] });
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [{ deployments: [{ status: "PRIMARY", rolloutState: "IN_PROGRESS" }] }],
      })
      .resolves({
        services: [{ deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED" }] }],
      });
    const { guard } = guardOf();
    expect(await guard.arm(service())).toBeDefined();
    await guard.disarm();
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(2);
    await guard.stop();
  });

  it("stop({ leaveArmed }) (a run that could not put the service back) stops the heartbeat and leaves the alarm breaching, said in a warning", async () => {
    const { guard, lines } = guardOf();
    await guard.arm(service());
    await guard.stop({ leaveArmed: true });
    const alarms = cw.commandCalls(PutMetricAlarmCommand).map((call) => call.args[0].input);
    expect(alarms.map((alarm) => alarm.TreatMissingData)).toEqual(["breaching"]);
    expect(lines.join("\n")).toContain(
      "release guard: left armed (alarm shipline-production-release-heartbeat)",
    );
  });

  it("skips a service whose deployment controller is not ECS, with a note", async () => {
    const { guard, lines } = guardOf();
    const configuration = await guard.arm(
      service({ deploymentController: { type: "CODE_DEPLOY" } }),
    );
    expect(configuration).toBeUndefined();
    expect(cw.calls()).toHaveLength(0);
    expect(lines.join("\n")).toContain("release guard: skipped");
  });

  it("goes unguarded, with a warning, when CloudWatch refuses the alarm", async () => {
    cw.on(PutMetricAlarmCommand).rejects(new Error("AccessDenied"));
    const { guard, lines } = guardOf();
    expect(await guard.arm(service())).toBeUndefined();
    expect(lines.join("\n")).toMatch(/release guard: not armed \(AccessDenied\)/);
  });
});
