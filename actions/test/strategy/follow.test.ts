import type { ECSClient, ServiceDeployment } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_SETTINGS } from "../../src/analysis/settings";
import type { IntervalSamples } from "../../src/analysis/verdict";
import { ManualClock } from "../../src/lib/clock";
import type { Logger } from "../../src/lib/logger";
import { type FollowEffects, followDeployment } from "../../src/strategy/follow";
import { triggeredAlarms } from "../../src/strategy/follow-effects";
import { failureOf } from "../../src/strategy/progressive";
import { stageLine, stageView } from "../../src/strategy/stages";

const lines: string[] = [];
const logger = {
  info: (m: string) => lines.push(m),
  warning: (m: string) => lines.push(`warning: ${m}`),
  error: (m: string) => lines.push(`error: ${m}`),
} as unknown as Logger;

const deployment = (
  status: string,
  stage: string,
  weight?: number,
  extra: Partial<ServiceDeployment> = {},
): ServiceDeployment =>
  ({
    status,
    lifecycleStage: stage,
    targetServiceRevision: {
      runningTaskCount: 2,
      requestedTaskCount: 2,
      ...(weight !== undefined ? { requestedProductionTrafficWeight: weight } : {}),
    },
    sourceServiceRevisions: [{ runningTaskCount: 2 }],
    ...extra,
  }) as ServiceDeployment;

/**
 * A fake deployment: a canary whose stages move on with the clock, and CloudWatch samples built
 * from a per-second series of the new group's error rate, 100 requests a second per group.
 */
function fakeCanary(clock: ManualClock, newErrorRate: (second: number) => number) {
  let rollback: number | undefined;
  const calls: string[] = [];
  const effects: FollowEffects = {
    async describe() {
      const t = clock.now() / 1000;
      if (rollback !== undefined) {
        return t - rollback < 3
          ? deployment("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 0)
          : deployment("ROLLBACK_SUCCESSFUL", "CLEAN_UP", 0);
      }
      if (t < 5) return deployment("IN_PROGRESS", "SCALE_UP", 0);
      if (t < 30) return deployment("IN_PROGRESS", "BAKE_TIME", 10);
      if (t < 35) return deployment("IN_PROGRESS", "BAKE_TIME", 100);
      return deployment("SUCCESSFUL", "CLEAN_UP", 100);
    },
    async samples({ start, end }) {
      calls.push(`samples ${start.getTime() / 1000}-${end.getTime() / 1000}`);
      const out: IntervalSamples[] = [];
      for (let s = Math.ceil(start.getTime() / 1000); s + 1 <= end.getTime() / 1000; s++) {
        const requests = 100;
        out.push({
          start: new Date(s * 1000),
          new: { requests, errors5xx: Math.round(requests * newErrorRate(s)), p95Seconds: 0.01 },
          old: { requests, errors5xx: 0, p95Seconds: 0.01 },
        });
      }
      return out;
    },
    async rollBack() {
      calls.push(`rollback at ${clock.now() / 1000}`);
      rollback = clock.now() / 1000;
    },
  };
  return { effects, calls };
}

const settings = {
  pollIntervalMs: 1000,
  timeoutMs: 120_000,
  analysis: DEFAULT_ANALYSIS_SETTINGS,
  periodSeconds: 1,
  analyse: true,
};

describe("followDeployment", () => {
  it("stops a canary whose new target group answers 5xx, after two failing intervals, and follows the rollback", async () => {
    lines.length = 0;
    const clock = new ManualClock(0);
    const { effects, calls } = fakeCanary(clock, (s) => (s >= 8 ? 0.5 : 0));
    const outcome = await followDeployment(effects, settings, { clock, logger });
    expect(outcome.result).toBe("analysis-failed");
    if (outcome.result !== "analysis-failed") return;
    expect(outcome.rollback).toBe("ROLLBACK_SUCCESSFUL");
    // Seconds 5–7 healthy, 8 and 9 failing: stopped at the poll after second 9 completed.
    expect(calls.filter((c) => c.startsWith("rollback"))).toEqual(["rollback at 10"]);
    expect(failureOf(outcome).message).toMatch(
      /^analysis failed: 5xx rate of the new target group 50\.0% \(50 of 100 requests\) over 5%.*: 48\.0 points over the limit 2\.0%$/,
    );
    // Each stage once, on one line, with the split.
    expect(lines).toContain(
      "deployment IN_PROGRESS, BAKE_TIME: traffic new 10% / old 90%; new tasks 2/2 running, old 2 running",
    );
    expect(
      lines.filter((l) => l.startsWith("deployment IN_PROGRESS, BAKE_TIME: traffic new 10%")),
    ).toHaveLength(1);
    expect(lines.some((l) => l.startsWith("deployment ROLLBACK_SUCCESSFUL"))).toBe(true);
  });

  it("lets a healthy canary through; one failing interval alone does not stop it", async () => {
    lines.length = 0;
    const clock = new ManualClock(0);
    const { effects, calls } = fakeCanary(clock, (s) => (s === 12 ? 0.5 : 0));
    const outcome = await followDeployment(effects, settings, { clock, logger });
    expect(outcome.result).toBe("succeeded");
    expect(calls.some((c) => c.startsWith("rollback"))).toBe(false);
    expect(outcome.analysis?.verdict).toBe("healthy");
  });

  it("judges nothing while the new revision takes no production traffic", async () => {
    const clock = new ManualClock(0);
    const { effects, calls } = fakeCanary(clock, () => 1);
    const stop = followDeployment(effects, { ...settings, timeoutMs: 4000 }, { clock, logger });
    const outcome = await stop;
    // Scale-up only (until 5 s) within the 4 s timeout: no sample read, stopped as timed out.
    expect(calls.filter((c) => c.startsWith("samples"))).toEqual([]);
    expect(outcome.result).toBe("timed-out");
  });

  it("reports ECS's own rollback on an alarm, naming the alarm", async () => {
    lines.length = 0;
    const clock = new ManualClock(0);
    let polls = 0;
    const effects: FollowEffects = {
      async describe() {
        polls += 1;
        if (polls < 3) return deployment("IN_PROGRESS", "BAKE_TIME", 100);
        return deployment("ROLLBACK_SUCCESSFUL", "CLEAN_UP", 0, {
          alarms: {
            alarmNames: ["api-5xx"],
            triggeredAlarmNames: ["api-5xx"],
            status: "TRIGGERED",
          },
          rollback: { reason: "alarm api-5xx in ALARM" },
        });
      },
      samples: async () => [],
      rollBack: async () => {
        throw new Error("shipline must not stop it: ECS did");
      },
    };
    const outcome = await followDeployment(effects, settings, { clock, logger });
    expect(outcome.result).toBe("rolled-back-by-ecs");
    if (outcome.result !== "rolled-back-by-ecs") return;
    expect(failureOf(outcome)).toEqual({
      cause: "alarm",
      message: "ECS rolled the deployment back: CloudWatch alarm api-5xx in ALARM",
    });
  });
});

describe("stageLine", () => {
  it("says the stage, the split and the tasks on one line", () => {
    expect(stageLine(stageView(deployment("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 37.5)))).toBe(
      "deployment IN_PROGRESS, PRODUCTION_TRAFFIC_SHIFT: traffic new 37.5% / old 62.5%; new tasks 2/2 running, old 2 running",
    );
    expect(stageLine(stageView({ status: "PENDING" }))).toBe("deployment PENDING, -");
  });
});

describe("triggeredAlarms", () => {
  it("names the alarms ECS reports triggered in the deployments since the rollout began", async () => {
    const sent: string[] = [];
    const ecs = {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        sent.push(command.constructor.name);
        if (command.constructor.name === "ListServiceDeploymentsCommand") {
          return { serviceDeployments: [{ serviceDeploymentArn: "arn:sd/1" }] };
        }
        return {
          serviceDeployments: [
            { alarms: { triggeredAlarmNames: ["api-5xx"] } },
            { alarms: { triggeredAlarmNames: ["api-5xx", "api-p99"] } },
          ],
        };
      },
    } as unknown as ECSClient;
    expect(await triggeredAlarms({ ecs }, "c", "s", new Date(0))).toEqual(["api-5xx", "api-p99"]);
    expect(sent).toEqual(["ListServiceDeploymentsCommand", "DescribeServiceDeploymentsCommand"]);
  });

  it("is empty when ECS cannot say (the failure stays as the gate saw it)", async () => {
    const ecs = {
      send: async () => {
        throw new Error("AccessDenied");
      },
    } as unknown as ECSClient;
    expect(await triggeredAlarms({ ecs }, "c", "s", new Date(0))).toEqual([]);
  });
});
