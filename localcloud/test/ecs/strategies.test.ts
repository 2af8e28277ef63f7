import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  type DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type ServiceDeployment,
  type ServiceDeploymentStatus,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientConfig } from "../helpers/cloud";
import { disposeAndExpectNothingLeft, type EcsTestCloud, startEcsCloud, waitFor } from "./support";

/**
 * ECS's own blue/green, canary and linear deployments on one service with real tasks behind a
 * real load balancer: the production listener rule's weights move between the two target groups
 * and requests follow them. The cloud runs at 1/20 of the pace: a minute of bake lasts 3 s.
 */

let t: EcsTestCloud;
let alternateTargetGroupArn = "";
let productionRule = "";
let testRule = "";
/** The listener's default rule: it forwards to the production target group alone. */
let defaultRule = "";
const revisions: Record<string, string> = {};
const ROLE = "arn:aws:iam::000000000000:role/ecsInfrastructureRoleForLoadBalancers";

beforeAll(async () => {
  t = await startEcsCloud();
  for (const version of ["v1", "v2", "v3", "v4", "v5"]) {
    revisions[version] = await t.registerRevision({ VERSION: version });
  }
  revisions.unhealthy = await t.registerRevision({ VERSION: "unhealthy", MODE: "unhealthy" });
  const alternate = (
    await t.elb.send(
      new CreateTargetGroupCommand({
        Name: "web-alt",
        Protocol: "HTTP",
        Port: 8080,
        VpcId: "vpc-1",
        TargetType: "ip",
        HealthCheckPath: "/healthz",
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 4,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups?.[0];
  alternateTargetGroupArn = alternate?.TargetGroupArn ?? "";
  await t.elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: alternateTargetGroupArn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
    }),
  );
  const listener = (await t.elb.send(new DescribeListenersCommand({}))).Listeners?.[0];
  const bothGroups = {
    Type: "forward" as const,
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: t.targetGroupArn, Weight: 100 },
        { TargetGroupArn: alternateTargetGroupArn, Weight: 0 },
      ],
    },
  };
  const rule = async (priority: number, condition: { Field: string; Values: string[] }) =>
    (
      await t.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener?.ListenerArn,
          Priority: priority,
          Conditions: [condition],
          Actions: [bothGroups],
        }),
      )
    ).Rules?.[0]?.RuleArn ?? "";
  testRule = await rule(5, { Field: "host-header", Values: ["test.internal"] });
  defaultRule =
    (
      await t.elb.send(new DescribeRulesCommand({ ListenerArn: listener?.ListenerArn }))
    ).Rules?.find((r) => r.IsDefault)?.RuleArn ?? "";
  productionRule = await rule(10, { Field: "path-pattern", Values: ["/*"] });
}, 180_000);

afterAll(async () => {
  if (t) await disposeAndExpectNothingLeft(t);
});

const loadBalancers = (
  advanced: boolean | "default rule" = true,
): CreateServiceCommandInput["loadBalancers"] => [
  {
    targetGroupArn: t.targetGroupArn,
    containerName: "app",
    containerPort: 8080,
    ...(advanced
      ? {
          advancedConfiguration: {
            alternateTargetGroupArn,
            ...(advanced === "default rule"
              ? { productionListenerRule: defaultRule }
              : { productionListenerRule: productionRule, testListenerRule: testRule }),
            roleArn: ROLE,
          },
        }
      : {}),
  },
];

const createService = (
  name: string,
  deploymentConfiguration: DeploymentConfiguration,
  advanced: boolean | "default rule" = true,
) =>
  t.ecs.send(
    new CreateServiceCommand({
      cluster: "default",
      serviceName: name,
      taskDefinition: revisions.v1,
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "DISABLED" },
      },
      loadBalancers: loadBalancers(advanced),
      deploymentConfiguration,
    }),
  );

/** The production rule's (or another rule's) weight per target group. */
const weights = async (ruleArn = productionRule): Promise<Record<string, number>> => {
  const rule = (await t.elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules?.[0];
  const groups = rule?.Actions?.find((a) => a.Type === "forward")?.ForwardConfig?.TargetGroups;
  return Object.fromEntries((groups ?? []).map((g) => [g.TargetGroupArn ?? "", g.Weight ?? 0]));
};

const serviceDeployment = async (arn: string): Promise<ServiceDeployment> =>
  (await t.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })))
    .serviceDeployments?.[0] ?? {};

const until = (arn: string, status: ServiceDeploymentStatus, timeoutMs = 60_000) =>
  waitFor(
    `service deployment ${status}`,
    async () => {
      const sd = await serviceDeployment(arn);
      return sd.status === status ? sd : undefined;
    },
    timeoutMs,
  );

const deploy = async (version: string, deploymentConfiguration?: DeploymentConfiguration) =>
  (
    await t.ecs.send(
      new UpdateServiceCommand({
        cluster: "default",
        service: "web",
        taskDefinition: revisions[version],
        ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
      }),
    )
  ).service?.currentServiceDeployment ?? "";

/** Versions answered by `count` requests through the load balancer (4 at a time). */
const sample = async (count: number): Promise<Record<string, number>> => {
  const seen: Record<string, number> = {};
  const worker = async () => {
    for (let i = 0; i < count / 4; i++) {
      const response = await fetch(`${t.lbUrl}/`);
      const body = (await response.json()) as { version: string };
      const key = response.status === 200 ? body.version : `HTTP ${response.status}`;
      seen[key] = (seen[key] ?? 0) + 1;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return seen;
};

const healthyTargets = async (targetGroupArn: string) =>
  (
    (await t.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })))
      .TargetHealthDescriptions ?? []
  ).filter((d) => d.TargetHealth?.State === "healthy").length;

const runningTaskDefinitions = async (): Promise<string[]> => {
  const taskArns =
    (await t.ecs.send(new ListTasksCommand({ cluster: "default", serviceName: "web" }))).taskArns ??
    [];
  if (taskArns.length === 0) return [];
  const tasks =
    (await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: taskArns }))).tasks ??
    [];
  return tasks
    .filter((task) => task.lastStatus === "RUNNING")
    .map((task) => task.taskDefinitionArn ?? "");
};

describe("ECS deployment strategies", () => {
  it("refuses strategy settings the ECS API does not accept, with InvalidParameterException", async () => {
    const refusals: Array<[DeploymentConfiguration, boolean | "default rule", RegExp]> = [
      [{ strategy: "CANARY" }, false, /requires advancedConfiguration/],
      [
        { strategy: "CANARY" },
        "default rule",
        /Target group .*web-alt.* is not associated with the production or test listener rule/,
      ],
      [{ strategy: "SLOW" as "CANARY" }, true, /strategy must be one of/],
      [{ strategy: "CANARY", canaryConfiguration: { canaryPercent: 0.05 } }, true, /canaryPercent/],
      [
        { strategy: "CANARY", canaryConfiguration: { canaryPercent: 12.34 } },
        true,
        /canaryPercent/,
      ],
      [{ strategy: "LINEAR", linearConfiguration: { stepPercent: 2 } }, true, /stepPercent/],
      [
        { strategy: "LINEAR", linearConfiguration: { stepBakeTimeInMinutes: 1441 } },
        true,
        /stepBakeTimeInMinutes/,
      ],
      [{ strategy: "BLUE_GREEN" }, true, /bakeTimeInMinutes must be specified/],
      [
        { strategy: "ROLLING", canaryConfiguration: { canaryPercent: 10 } },
        true,
        /only valid with the CANARY/,
      ],
      [
        {
          strategy: "BLUE_GREEN",
          bakeTimeInMinutes: 1,
          lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["PRODUCTION_TRAFFIC_SHIFT"] }],
        },
        true,
        /PAUSE hooks cannot be configured at the PRODUCTION_TRAFFIC_SHIFT stage/,
      ],
      [
        {
          strategy: "BLUE_GREEN",
          bakeTimeInMinutes: 1,
          lifecycleHooks: [{ lifecycleStages: ["POST_SCALE_UP"] }],
        },
        true,
        /hookTargetArn and a roleArn/,
      ],
    ];
    for (const [config, advanced, message] of refusals) {
      await expect(
        createService("refused", config, advanced),
        JSON.stringify(config),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: expect.stringMatching(message),
      });
    }
  });

  it("canary: green starts in the alternate target group, takes 10% of real requests while it bakes, then all; the groups swap", async () => {
    const created = await createService("web", {
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
      bakeTimeInMinutes: 1,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(created.service?.deploymentConfiguration).toMatchObject({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
      bakeTimeInMinutes: 1,
    });
    expect(created.service?.loadBalancers?.[0]?.advancedConfiguration).toEqual({
      alternateTargetGroupArn,
      productionListenerRule: productionRule,
      testListenerRule: testRule,
      roleArn: ROLE,
    });
    const first = await until(created.service?.currentServiceDeployment ?? "", "SUCCESSFUL");
    expect(first.sourceServiceRevisions ?? []).toEqual([]);
    expect(await sample(8)).toEqual({ v1: 8 });

    const arn = await deploy("v2");
    const canary = await waitFor("the canary weights", async () => {
      const w = await weights();
      return w[alternateTargetGroupArn] === 10 ? w : undefined;
    });
    expect(canary).toEqual({ [t.targetGroupArn]: 90, [alternateTargetGroupArn]: 10 });
    // Both target groups serve real traffic: about one request in ten reaches green.
    const split = await sample(200);
    expect(split["HTTP 503"] ?? 0).toBe(0);
    expect(split.v2 ?? 0).toBeGreaterThanOrEqual(4);
    expect(split.v2 ?? 0).toBeLessThanOrEqual(50);
    expect((split.v1 ?? 0) + (split.v2 ?? 0)).toBe(200);
    const baking = await serviceDeployment(arn);
    expect(baking).toMatchObject({
      status: "IN_PROGRESS",
      lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT",
      targetServiceRevision: { requestedProductionTrafficWeight: 10, requestedTaskCount: 2 },
    });
    expect(baking.sourceServiceRevisions?.[0]).toMatchObject({
      arn: first.targetServiceRevision?.arn,
      requestedProductionTrafficWeight: 90,
    });
    // The test listener rule sends its traffic to green before production moves.
    expect(await weights(testRule)).toEqual({
      [t.targetGroupArn]: 0,
      [alternateTargetGroupArn]: 100,
    });

    const done = await until(arn, "SUCCESSFUL");
    expect(done.lifecycleStage).toBe("CLEAN_UP");
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(await weights()).toEqual({ [t.targetGroupArn]: 0, [alternateTargetGroupArn]: 100 });
    expect(await sample(12)).toEqual({ v2: 12 });
    expect(await healthyTargets(alternateTargetGroupArn)).toBe(2);
    await waitFor("blue's targets to drain", async () =>
      (await healthyTargets(t.targetGroupArn)) === 0 ? true : undefined,
    );
    expect(await runningTaskDefinitions()).toEqual([revisions.v2, revisions.v2]);

    const listed = await t.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: "default",
        service: "web",
        status: ["SUCCESSFUL"],
      }),
    );
    expect(listed.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([
      arn,
      first.serviceDeploymentArn,
    ]);
    const page = await t.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: "default", service: "web", maxResults: 1 }),
    );
    expect(page.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([arn]);
    const next = await t.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: "default",
        service: "web",
        maxResults: 1,
        nextToken: page.nextToken,
      }),
    );
    expect(next.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([
      first.serviceDeploymentArn,
    ]);
    expect(next.nextToken).toBeUndefined();
    const later = await t.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: "default",
        service: "web",
        createdAt: { after: new Date(Date.now() + 60_000) },
      }),
    );
    expect(later.serviceDeployments).toEqual([]);
    const revision = await t.ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [done.targetServiceRevision?.arn ?? ""],
      }),
    );
    expect(revision.serviceRevisions?.[0]?.taskDefinition).toBe(revisions.v2);
  }, 120_000);

  it("StopServiceDeployment ROLLBACK during the canary bake returns all traffic to blue at once and ends ROLLBACK_SUCCESSFUL", async () => {
    const previous = await t.describe();
    const arn = await deploy("v3");
    // This time green goes the other way: into the group that served production before.
    await waitFor("the canary weights", async () => {
      const w = await weights();
      return w[t.targetGroupArn] === 10 ? w : undefined;
    });
    // AWS refuses to move a service to ROLLING while a deployment is in progress.
    await expect(
      t.ecs.send(
        new UpdateServiceCommand({
          cluster: "default",
          service: "web",
          deploymentConfiguration: { strategy: "ROLLING" },
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringMatching(/deployment in progress/),
    });
    expect((await t.describe()).deploymentConfiguration?.strategy).toBe("CANARY");
    const stopped = await t.ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }),
    );
    expect(stopped.serviceDeploymentArn).toBe(arn);
    const back = await waitFor("production back on blue", async () => {
      const w = await weights();
      return w[alternateTargetGroupArn] === 100 ? w : undefined;
    });
    expect(back[t.targetGroupArn]).toBe(0);
    const rolledBack = await until(arn, "ROLLBACK_SUCCESSFUL");
    expect(rolledBack.rollback).toMatchObject({
      reason: expect.stringMatching(/stop request/),
      serviceRevisionArn: previous.currentServiceRevisions?.[0]?.arn,
    });
    expect(rolledBack.rollback?.startedAt).toBeInstanceOf(Date);
    expect(await sample(12)).toEqual({ v2: 12 });
    expect((await t.describe()).taskDefinition).toBe(revisions.v2);
    await waitFor("green's tasks to stop", async () =>
      (await runningTaskDefinitions()).every((d) => d === revisions.v2) ? true : undefined,
    );
    await expect(
      t.ecs.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }),
      ),
    ).rejects.toMatchObject({ name: "ConflictException" });
    await expect(
      t.ecs.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ABORT" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  }, 90_000);

  it("linear: production moves in equal steps, each baked, until green has it all", async () => {
    const arn = await deploy("v3", {
      strategy: "LINEAR",
      linearConfiguration: { stepPercent: 34, stepBakeTimeInMinutes: 1 },
      bakeTimeInMinutes: 0,
    });
    const seen: number[] = [];
    await waitFor("the linear deployment to finish", async () => {
      const share = (await weights())[t.targetGroupArn] ?? -1;
      if (seen.at(-1) !== share) seen.push(share);
      return (await serviceDeployment(arn)).status === "SUCCESSFUL" ? true : undefined;
    });
    expect(seen.filter((share) => share > 0)).toEqual([34, 68, 100]);
    expect(await sample(12)).toEqual({ v3: 12 });
  }, 90_000);

  it("blue/green: all production traffic moves at once, blue keeps running through the bake time, then stops", async () => {
    const arn = await deploy("v4", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 2 });
    const seen = new Set<number>();
    const baking = await waitFor("the bake time", async () => {
      seen.add((await weights())[alternateTargetGroupArn] ?? -1);
      const sd = await serviceDeployment(arn);
      return sd.lifecycleStage === "BAKE_TIME" ? sd : undefined;
    });
    expect(baking.status).toBe("IN_PROGRESS");
    expect(await weights()).toEqual({ [t.targetGroupArn]: 0, [alternateTargetGroupArn]: 100 });
    expect((await runningTaskDefinitions()).sort()).toEqual(
      [revisions.v3, revisions.v3, revisions.v4, revisions.v4].sort(),
    );
    expect(await sample(12)).toEqual({ v4: 12 });
    await until(arn, "SUCCESSFUL");
    expect([...seen].filter((share) => share > 0 && share < 100)).toEqual([]);
    await waitFor("blue's tasks to stop", async () =>
      (await runningTaskDefinitions()).every((d) => d === revisions.v4) ? true : undefined,
    );
  }, 90_000);

  it("an alarm in ALARM during the bake time rolls back: traffic returns to blue and green stops", async () => {
    const cw = new CloudWatchClient(clientConfig(t.cloud));
    const errors = {
      Namespace: "Web",
      MetricName: "Errors",
      Dimensions: [{ Name: "Service", Value: "web" }],
    };
    // 10 s periods at 1/20 of the pace: 500 ms; one period with an error is ALARM.
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "web-errors",
        ...errors,
        Statistic: "Sum",
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    const alarms = { alarmNames: ["web-errors"], enable: true, rollback: true };
    const arn = await deploy("v5", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10, alarms });
    await waitFor("the bake time", async () =>
      (await serviceDeployment(arn)).lifecycleStage === "BAKE_TIME" ? true : undefined,
    );
    expect(await weights()).toEqual({ [t.targetGroupArn]: 100, [alternateTargetGroupArn]: 0 });
    const beats = setInterval(() => {
      void cw
        .send(
          new PutMetricDataCommand({
            Namespace: errors.Namespace,
            MetricData: [{ ...errors, Value: 5, StorageResolution: 1 }],
          }),
        )
        .catch(() => {});
    }, 100);
    try {
      const rolledBack = await until(arn, "ROLLBACK_SUCCESSFUL");
      expect(rolledBack.alarms).toMatchObject({
        status: "TRIGGERED",
        alarmNames: ["web-errors"],
        triggeredAlarmNames: ["web-errors"],
      });
      expect(rolledBack.rollback?.reason).toMatch(/alarm\(s\) \(web-errors\)/);
      const state = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-errors"] })))
        .MetricAlarms?.[0]?.StateValue;
      expect(state).toBe("ALARM");
    } finally {
      clearInterval(beats);
    }
    expect(await weights()).toEqual({ [t.targetGroupArn]: 0, [alternateTargetGroupArn]: 100 });
    expect(await sample(12)).toEqual({ v4: 12 });
  }, 90_000);

  it("the circuit breaker rolls back a canary whose green tasks fail their health checks, before any traffic moves", async () => {
    const arn = await deploy("unhealthy", {
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
      bakeTimeInMinutes: 0,
      alarms: { alarmNames: [], enable: false, rollback: false },
    });
    const seen = new Set<number>();
    const rolledBack = await waitFor("the circuit breaker's rollback", async () => {
      seen.add((await weights())[t.targetGroupArn] ?? -1);
      const sd = await serviceDeployment(arn);
      return sd.status === "ROLLBACK_SUCCESSFUL" ? sd : undefined;
    });
    expect(rolledBack.deploymentCircuitBreaker).toMatchObject({
      status: "TRIGGERED",
      threshold: 3,
    });
    expect(rolledBack.deploymentCircuitBreaker?.failureCount).toBeGreaterThanOrEqual(3);
    expect(rolledBack.rollback?.reason).toMatch(/circuit breaker/);
    expect([...seen]).toEqual([0]);
    expect(await sample(12)).toEqual({ v4: 12 });
  }, 90_000);

  it("a rolling deployment has its service deployment too, and the strategy can go back to ROLLING", async () => {
    const arn = await deploy("v5", { strategy: "ROLLING" });
    const done = await until(arn, "SUCCESSFUL");
    expect(done.deploymentConfiguration?.strategy).toBe("ROLLING");
    expect(done.targetServiceRevision).toMatchObject({
      requestedTaskCount: 2,
      runningTaskCount: 2,
    });
    // A rolling deployment replaces tasks in the group that serves production.
    expect(await sample(12)).toEqual({ v5: 12 });
    expect(await healthyTargets(alternateTargetGroupArn)).toBe(2);

    // StopServiceDeployment rolls a rolling deployment back to the last completed one.
    const stopping = await deploy("v1");
    await t.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: stopping }));
    const rolledBack = await until(stopping, "ROLLBACK_SUCCESSFUL");
    expect(rolledBack.rollback?.serviceRevisionArn).toBe(done.targetServiceRevision?.arn);
    expect(await sample(12)).toEqual({ v5: 12 });

    const all = await t.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: "default", service: "web" }),
    );
    expect(all.serviceDeployments?.map((d) => d.status)).toEqual([
      "ROLLBACK_SUCCESSFUL",
      "SUCCESSFUL",
      "ROLLBACK_SUCCESSFUL",
      "ROLLBACK_SUCCESSFUL",
      "SUCCESSFUL",
      "SUCCESSFUL",
      "ROLLBACK_SUCCESSFUL",
      "SUCCESSFUL",
      "SUCCESSFUL",
    ]);
  }, 90_000);
});
