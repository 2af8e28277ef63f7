import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { CurrentService } from "../../src/service/current";
import { chooseWaitStrategy } from "../../src/service/gate";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/1";
const ALT = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-alt/2";

const current = (service: Partial<Service>): CurrentService => ({
  cluster: "prod",
  service: {
    serviceName: "api",
    loadBalancers: [
      {
        targetGroupArn: TG,
        containerName: "api",
        containerPort: 8000,
        advancedConfiguration: { alternateTargetGroupArn: ALT },
      },
    ],
    ...service,
  },
  taskDefinition: {},
  taskDefinitionTags: [],
  targetGroups: [{ TargetGroupArn: TG, TargetGroupName: "api" }],
});

describe("chooseWaitStrategy", () => {
  it("a rolling service that kept its blue/green pair is watched in either group: ECS may serve it from the alternate", () => {
    const wait = chooseWaitStrategy(current({ deploymentConfiguration: { strategy: "ROLLING" } }));
    expect(wait.awaitsRollout).toBeUndefined();
    expect(wait.groups[0]?.targetGroupArn).toBe(TG);
    expect(wait.groups[0]?.alternate?.targetGroupArn).toBe(ALT);
    expect(wait.name).toBe("target health in api or api-alt");
  });

  it("a service that shifts traffic waits for ECS's rollout too; one without a pair watches its group", () => {
    const canary = chooseWaitStrategy(current({ deploymentConfiguration: { strategy: "CANARY" } }));
    expect(canary.awaitsRollout).toBe(true);
    const plain = chooseWaitStrategy(
      current({
        loadBalancers: [{ targetGroupArn: TG, containerName: "api", containerPort: 8000 }],
      }),
    );
    expect(plain.groups[0]?.alternate).toBeUndefined();
    expect(plain.name).toBe("target health in api");
  });
});
