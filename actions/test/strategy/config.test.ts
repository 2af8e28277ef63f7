import { describe, expect, it } from "vitest";
import { environmentInputs } from "../../src/config/environment";
import { parseConfig } from "../../src/config/load";
import { ConfigurationError } from "../../src/lib/errors";
import { parseInputs } from "../../src/lib/inputs";
import { deploySchema } from "../../src/release/inputs";
import { deliveryOf } from "../../src/strategy/inputs";
import { parseStrategy } from "../../src/strategy/spec";

const file = (strategy: string) => `
version: 1
environments:
  production:
    cluster: shipline
    service: web
    containers:
      api: { repository: shipline/api }
    bucket: shipline-site
${strategy}
`;

const CANARY = `    strategy:
      type: canary
      percent: 10
      step-bake-time: 5m
      bake-time: 2m
      alternate-target-group: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green/1
      production-listener-rule: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/1/2/3
      role: arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers
    alarms: [api-5xx]
    analysis: { interval: 1m, max-error-rate: 10%, consecutive-failures: 3 }`;

/** The configuration file's environment as deploy's parsed delivery settings. */
function deliveryFrom(text: string) {
  const raw = environmentInputs(parseConfig(text, "shipline.yml"), "production", "shipline.yml");
  return deliveryOf(parseInputs(deploySchema, { ...raw, source: "dist" }));
}

describe("strategy in the configuration file", () => {
  it("becomes deploy's inputs: the strategy, its routing, the user's alarms and the analysis", () => {
    const delivery = deliveryFrom(file(CANARY));
    expect(delivery.strategy).toEqual({ name: "canary", percent: 10, stepBakeMinutes: 5 });
    expect(delivery.bakeMinutes).toBe(2);
    expect(delivery.routing.role).toBe(
      "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers",
    );
    expect(delivery.alarms).toEqual(["api-5xx"]);
    expect(delivery.analysis.settings.maxErrorRate).toBe(0.1);
    expect(delivery.analysis.settings.consecutiveFailures).toBe(3);
    expect(delivery.analysis.periodSeconds).toBe(60);
  });

  it("is rolling when the file says nothing", () => {
    expect(deliveryFrom(file("")).strategy).toEqual({ name: "rolling" });
  });

  it("names the missing setting of a strategy (exit 4, nothing changed)", () => {
    const text = file(`    strategy: { type: linear, step-bake-time: 90s }`);
    expect(() => deliveryFrom(text)).toThrow(ConfigurationError);
    expect(() => deliveryFrom(text)).toThrow(/whole minutes/);
    expect(() => deliveryFrom(file(`    strategy: { type: blue-green }`))).toThrow(
      /input "alternate-target-group" is required with strategy blue-green/,
    );
    expect(() => parseConfig(file(`    strategy: { type: canary, percent: 0 }`), "f")).toThrow(
      /strategy\.percent/,
    );
  });
});

describe("strategy of each service of a release", () => {
  const text = `
version: 1
environments:
  production:
    cluster: shipline
    services:
      api:
        service: api-svc
        strategy:
          type: linear
          percent: 20
          step-bake-time: 2m
          bake-time: 1m
          alternate-target-group: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green/1
          production-listener-rule: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/1/2/3
          role: arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers
        alarms: [api-5xx, api-p99]
      worker:
        service: worker-svc
    containers:
      api: { repository: shipline/api }
    bucket: shipline-site
    analysis: { min-requests: 50 }
`;

  it("travels on each service's line and becomes that service's delivery", async () => {
    const raw = environmentInputs(parseConfig(text, "shipline.yml"), "production", "shipline.yml");
    expect(raw.services).toContain("api=api-svc strategy=linear:20%:2m bake-time=1m");
    expect(raw.services).toContain("alarms=api-5xx,api-p99");
    const { parseServiceLines } = await import("../../src/release/services");
    const [api, worker] = parseServiceLines(String(raw.services).split("\n"), "shipline");
    expect(api?.delivery?.strategy).toBe("linear:20%:2m");
    expect(worker?.delivery).toBeUndefined();
    expect(parseStrategy(api?.delivery?.strategy ?? "")).toEqual({
      name: "linear",
      percent: 20,
      stepBakeMinutes: 2,
    });
  });

  it("names the service whose line is wrong", async () => {
    const { parseServiceLines } = await import("../../src/release/services");
    expect(() => parseServiceLines(["api=api-svc colour=red"], "c")).toThrow(
      /service "api": "colour=red" is not cluster=NAME, task-definition=PATH or one of strategy=…/,
    );
  });
});
