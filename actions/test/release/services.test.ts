import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { parseServiceLines, releaseServices } from "../../src/release/services";

function refused(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected the services to be refused");
}

describe("services of a release", () => {
  it("reads KEY=SERVICE lines, with the environment's cluster unless one is given", () => {
    expect(
      parseServiceLines(
        ["api=shop-api task-definition=ecs/api.json", "worker=shop-worker cluster=jobs"],
        "shop",
      ),
    ).toEqual([
      { key: "api", cluster: "shop", service: "shop-api", taskDefinition: "ecs/api.json" },
      { key: "worker", cluster: "jobs", service: "shop-worker" },
    ]);
  });

  it("names duplicate keys, one ECS service under two keys, and malformed lines", () => {
    expect(refused(() => parseServiceLines(["api=a", "api=b"], "c"))).toMatch(
      /names service "api" twice/,
    );
    expect(refused(() => parseServiceLines(["api=a", "web=a"], "c"))).toMatch(
      /"api" and "web" are both ECS service "c\/a"/,
    );
    expect(refused(() => parseServiceLines(["api"], "c"))).toMatch(/"api" is not KEY=SERVICE/);
    expect(refused(() => parseServiceLines(["api=a size=2"], "c"))).toMatch(
      /"size=2" is not cluster=NAME/,
    );
  });

  it("keeps `service` as the one-service shorthand and refuses both or neither", () => {
    expect(releaseServices({ cluster: "c", service: "web", services: [] })).toEqual([
      { key: "web", cluster: "c", service: "web", shorthand: true },
    ]);
    expect(
      refused(() => releaseServices({ cluster: "c", service: "web", services: ["a=b"] })),
    ).toMatch(/not both/);
    expect(refused(() => releaseServices({ cluster: "c", services: [] }))).toMatch(
      /input "service" is required/,
    );
    expect(
      refused(() =>
        releaseServices({ cluster: "c", services: ["a=b"], "task-definition": "x.json" }),
      ),
    ).toMatch(/give each service its task-definition=PATH/);
  });
});
