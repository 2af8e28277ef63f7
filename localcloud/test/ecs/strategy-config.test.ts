import { describe, expect, it } from "vitest";
import type { ServiceDeploymentRecord } from "../../src/services/ecs/model";
import { strategySettingsOf } from "../../src/services/ecs/strategy-config";
import { forwardWeights, trafficSteps } from "../../src/services/ecs/traffic-shift";

const deploymentWith = (
  config: Partial<ServiceDeploymentRecord["deploymentConfiguration"]>,
): ServiceDeploymentRecord =>
  ({
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...config,
    },
  }) as ServiceDeploymentRecord;

describe("traffic steps", () => {
  it("canary: the canary share, then all; linear: equal steps, the last one capped at 100", () => {
    expect(
      trafficSteps(
        deploymentWith({
          strategy: "CANARY",
          canaryConfiguration: { canaryPercent: 12.5, canaryBakeTimeInMinutes: 4 },
        }),
      ),
    ).toEqual({ percents: [12.5, 100], stepBakeMinutes: 4 });
    expect(
      trafficSteps(
        deploymentWith({
          strategy: "LINEAR",
          linearConfiguration: { stepPercent: 33.3, stepBakeTimeInMinutes: 2 },
        }),
      ),
    ).toEqual({ percents: [33.3, 66.6, 99.9, 100], stepBakeMinutes: 2 });
    expect(trafficSteps(deploymentWith({ strategy: "LINEAR" }))).toEqual({
      percents: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      stepBakeMinutes: 6,
    });
    expect(trafficSteps(deploymentWith({ strategy: "BLUE_GREEN" })).percents).toEqual([100]);
  });

  it("weights are whole percents, or tenths out of 1000 for a fractional share", () => {
    expect(forwardWeights("tg-a", "tg-b", "tg-b", 10)).toEqual([
      { TargetGroupArn: "tg-a", Weight: 90 },
      { TargetGroupArn: "tg-b", Weight: 10 },
    ]);
    expect(forwardWeights("tg-a", "tg-b", "tg-a", 0.1)).toEqual([
      { TargetGroupArn: "tg-a", Weight: 1 },
      { TargetGroupArn: "tg-b", Weight: 999 },
    ]);
  });
});

describe("strategy settings", () => {
  it("an update keeps what it does not name, and a strategy change drops the other strategy's steps", () => {
    const canary = strategySettingsOf({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 20 },
      bakeTimeInMinutes: 5,
    });
    expect(canary).toEqual({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 10 },
      bakeTimeInMinutes: 5,
    });
    expect(strategySettingsOf({ bakeTimeInMinutes: 7 }, canary)).toMatchObject({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 20 },
      bakeTimeInMinutes: 7,
    });
    expect(strategySettingsOf({ strategy: "LINEAR" }, canary)).toEqual({
      strategy: "LINEAR",
      bakeTimeInMinutes: 5,
    });
  });
});
