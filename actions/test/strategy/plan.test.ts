import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { type DeliveryInputs, deliveryOf } from "../../src/strategy/inputs";
import { planDelivery } from "../../src/strategy/plan";
import { parseBakeMinutes, parseStrategy, plannedBakeMinutes } from "../../src/strategy/spec";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/1";
const ALT = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-alt/2";
const RULE = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/3/4/5";
const ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers";

const service = (extra: Partial<Service> = {}): Service => ({
  serviceName: "api",
  deploymentController: { type: "ECS" },
  deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
  loadBalancers: [{ targetGroupArn: TG, containerName: "api", containerPort: 8000 }],
  ...extra,
});

const raw = (extra: Partial<DeliveryInputs> = {}): DeliveryInputs => ({
  strategy: parseStrategy("rolling"),
  "bake-time": undefined,
  "alternate-target-group": ALT,
  "production-listener-rule": RULE,
  "test-listener-rule": undefined,
  "load-balancer-role": ROLE,
  alarms: [],
  analysis: {},
  ...extra,
});

describe("strategy input", () => {
  it("reads each strategy with ECS's defaults for the parts left out", () => {
    expect(parseStrategy("rolling")).toEqual({ name: "rolling" });
    expect(parseStrategy("blue-green")).toEqual({ name: "blue-green" });
    expect(parseStrategy("canary 10% 5m")).toEqual({
      name: "canary",
      percent: 10,
      stepBakeMinutes: 5,
    });
    expect(parseStrategy("canary")).toEqual({ name: "canary", percent: 5, stepBakeMinutes: 10 });
    expect(parseStrategy("linear 20%")).toEqual({
      name: "linear",
      percent: 20,
      stepBakeMinutes: 6,
    });
  });

  it("refuses what ECS would refuse, saying what is expected", () => {
    expect(() => parseStrategy("dark-launch")).toThrow(
      /must start with one of rolling, blue-green/,
    );
    expect(() => parseStrategy("linear 2% 1m")).toThrow(/multiple of 0.1 from 3% to 100%/);
    expect(() => parseStrategy("canary 10.05%")).toThrow(/multiple of 0.1/);
    expect(() => parseStrategy("blue-green 10%")).toThrow(/takes no percent/);
    expect(() => parseBakeMinutes("90s")).toThrow(/whole minutes/);
    expect(parseBakeMinutes("2m")).toBe(2);
  });

  it("names every missing routing input of a non-rolling strategy at once (exit 4)", () => {
    const attempt = () =>
      deliveryOf(
        raw({
          strategy: parseStrategy("canary"),
          "alternate-target-group": undefined,
          "load-balancer-role": "not-an-arn",
          analysis: { "max-error-rate": "120%", colour: "red" },
        }),
      );
    expect(attempt).toThrow(ConfigurationError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })();
    expect(message).toContain('input "alternate-target-group" is required with strategy canary');
    expect(message).toContain('input "load-balancer-role" must be an IAM role ARN');
    expect(message).toContain('input "analysis": max-error-rate="120%"');
    expect(message).toContain('unknown key "colour"');
  });

  it("reads analysis overrides", () => {
    const delivery = deliveryOf(
      raw({
        analysis: {
          interval: "5s",
          "max-error-rate": "10%",
          "latency-floor": "100ms",
          "min-requests": "5",
        },
      }),
    );
    expect(delivery.analysis.periodSeconds).toBe(5);
    expect(delivery.analysis.settings).toMatchObject({
      maxErrorRate: 0.1,
      latencyFloorSeconds: 0.1,
      minRequests: 5,
      consecutiveFailures: 2,
    });
  });
});

describe("planDelivery", () => {
  const canary = deliveryOf(raw({ strategy: parseStrategy("canary 10% 2m"), "bake-time": 1 }));

  it("sets the strategy, its configuration, the bake time and the alternate target group when they differ", () => {
    const plan = planDelivery(service(), canary);
    expect(plan.problems).toEqual([]);
    expect(plan.deploymentConfiguration).toEqual({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
      bakeTimeInMinutes: 1,
    });
    expect(plan.loadBalancers).toEqual([
      {
        targetGroupArn: TG,
        containerName: "api",
        containerPort: 8000,
        advancedConfiguration: {
          alternateTargetGroupArn: ALT,
          productionListenerRule: RULE,
          roleArn: ROLE,
        },
      },
    ]);
    expect(plan.changes).toHaveLength(4);
  });

  it("sends nothing when the service already matches, also after ECS swapped the pair", () => {
    const matching = service({
      deploymentConfiguration: {
        strategy: "CANARY",
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
        bakeTimeInMinutes: 1,
      },
      loadBalancers: [
        {
          targetGroupArn: ALT,
          containerName: "api",
          containerPort: 8000,
          advancedConfiguration: {
            alternateTargetGroupArn: TG,
            productionListenerRule: RULE,
            roleArn: ROLE,
          },
        },
      ],
    });
    const plan = planDelivery(matching, canary);
    expect(plan).toEqual({ changes: [], problems: [] });
  });

  it("back to rolling after a canary: keeps the load balancer pair, refused while ECS still deploys", () => {
    const afterCanary = (deployments: Service["deployments"]) =>
      service({
        deploymentConfiguration: {
          strategy: "CANARY",
          canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
          bakeTimeInMinutes: 1,
        },
        loadBalancers: [
          {
            targetGroupArn: TG,
            containerName: "api",
            containerPort: 8000,
            advancedConfiguration: { alternateTargetGroupArn: ALT, productionListenerRule: RULE },
          },
        ],
        deployments,
      });
    const rolling = deliveryOf(raw());
    const settled = planDelivery(
      afterCanary([{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED" }]),
      rolling,
    );
    expect(settled.problems).toEqual([]);
    expect(settled.deploymentConfiguration?.strategy).toBe("ROLLING");
    expect(settled.deploymentConfiguration?.canaryConfiguration).toBeUndefined();
    // ECS keeps the pair: rolling tasks go where production is served.
    expect(settled.loadBalancers).toBeUndefined();
    const busy = planDelivery(
      afterCanary([
        { id: "ecs-svc/2", status: "PRIMARY", rolloutState: "IN_PROGRESS" },
        { id: "ecs-svc/1", status: "ACTIVE", rolloutState: "COMPLETED" },
      ]),
      rolling,
    );
    expect(busy.problems).toEqual([
      expect.stringMatching(
        /strategy rolling: api still has ECS deployment ecs-svc\/2 in progress under CANARY.*wait for it to complete/,
      ),
    ]);
  });

  it("rolling with no alarms leaves a service that has no strategy set alone", () => {
    expect(planDelivery(service(), deliveryOf(raw()))).toEqual({ changes: [], problems: [] });
  });

  it("sets the user's alarms with rollback on", () => {
    const plan = planDelivery(service(), deliveryOf(raw({ alarms: ["api-5xx", "api-p99"] })));
    expect(plan.deploymentConfiguration?.alarms).toEqual({
      alarmNames: ["api-5xx", "api-p99"],
      enable: true,
      rollback: true,
    });
    expect(plan.loadBalancers).toBeUndefined();
  });

  it("drops the previous strategy's configuration (ECS takes it only with its own strategy)", () => {
    const wasCanary = service({
      deploymentConfiguration: {
        strategy: "CANARY",
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
        bakeTimeInMinutes: 1,
      },
    });
    const plan = planDelivery(
      wasCanary,
      deliveryOf(raw({ strategy: parseStrategy("linear 20% 1m") })),
    );
    expect(plan.deploymentConfiguration).toEqual({
      strategy: "LINEAR",
      linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: 1 },
      bakeTimeInMinutes: 1,
    });
    const back = planDelivery(wasCanary, deliveryOf(raw()));
    expect(back.deploymentConfiguration).toEqual({ strategy: "ROLLING", bakeTimeInMinutes: 1 });
  });

  it("needs a bake time for blue-green when the service has none", () => {
    expect(
      planDelivery(service(), deliveryOf(raw({ strategy: parseStrategy("blue-green") }))).problems,
    ).toEqual([
      'input "bake-time" is required with strategy blue-green (ECS needs bakeTimeInMinutes, and the service has none)',
    ]);
  });

  it("refuses a service the strategy cannot run on", () => {
    const plan = planDelivery(
      service({ deploymentController: { type: "CODE_DEPLOY" }, loadBalancers: [] }),
      canary,
    );
    expect(plan.problems).toEqual([
      "strategy canary needs the ECS deployment controller; api uses CODE_DEPLOY",
      "strategy canary needs a service with exactly one load balancer (target group); api has 0",
    ]);
  });
});

describe("plannedBakeMinutes", () => {
  it("adds the canary's bake, each linear step's but the last, and the final bake", () => {
    expect(plannedBakeMinutes(parseStrategy("canary 10% 5m"), 10)).toBe(15);
    expect(plannedBakeMinutes(parseStrategy("linear 20% 2m"), 3)).toBe(4 * 2 + 3);
    expect(plannedBakeMinutes(parseStrategy("blue-green"), 5)).toBe(5);
  });
});
