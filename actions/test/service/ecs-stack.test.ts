import { describe, expect, it } from "vitest";
import { type EcsStackHelper, loadEcsStackHelper } from "../../scripts/demo/ecs-stack";

describe("localcloud's ECS stack helper, as the toolkit's tests and the demo load it", () => {
  it("has every function the declared shape names", async () => {
    const helper = await loadEcsStackHelper();
    const names: (keyof EcsStackHelper)[] = [
      "ecrLogin",
      "createServiceFront",
      "awsLogs",
      "environmentOf",
      "createFargateService",
    ];
    for (const name of names) expect(typeof helper[name], name).toBe("function");
    expect(helper.awsLogs("/ecs/web", "eu-west-1", "api")).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/web",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "api",
      },
    });
    expect(helper.environmentOf({ A: "1" })).toEqual([{ name: "A", value: "1" }]);
  });
});
