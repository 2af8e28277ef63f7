import { describe, expect, it } from "vitest";
import { initialRecord, type TargetRecord } from "../../src/services/elbv2/health";
import type { Rule } from "../../src/services/elbv2/model";
import {
  matchRule,
  pickWeighted,
  routableTargets,
  wildcardMatch,
} from "../../src/services/elbv2/routing";

const rule = (priority: string, field: "path-pattern" | "host-header", values: string[]): Rule => ({
  RuleArn: `rule-${priority}`,
  ListenerArn: "l",
  Priority: priority,
  Conditions: [{ Field: field, Values: values }],
  Actions: [{ Type: "forward", TargetGroupArn: `tg-${priority}` }],
  IsDefault: false,
});
const defaultRule: Rule = {
  ...rule("default", "path-pattern", []),
  Conditions: [],
  IsDefault: true,
};

describe("listener rules", () => {
  it.each([
    ["/api/*", "/api/tasks", true],
    ["/api/*", "/apix", false],
    ["/img/?.png", "/img/a.png", true],
    ["/img/?.png", "/img/ab.png", false],
    ["/API/*", "/api/x", false],
  ] as const)("path %s vs %s → %s", (pattern, path, expected) => {
    expect(wildcardMatch(pattern, path)).toBe(expected);
  });

  it("takes the lowest priority that matches, the default last", () => {
    const rules = [
      defaultRule,
      rule("20", "path-pattern", ["/api/*"]),
      rule("10", "path-pattern", ["/api/admin/*"]),
    ];
    expect(matchRule(rules, "/api/admin/x", "h")?.RuleArn).toBe("rule-10");
    expect(matchRule(rules, "/api/tasks", "h")?.RuleArn).toBe("rule-20");
    expect(matchRule(rules, "/", "h")?.RuleArn).toBe("rule-default");
  });

  it("matches host headers without the port, case-insensitively", () => {
    const rules = [defaultRule, rule("1", "host-header", ["*.example.com"])];
    expect(matchRule(rules, "/", "API.Example.com:8080")?.RuleArn).toBe("rule-1");
  });
});

describe("target choice", () => {
  it("splits by weight and never picks weight 0", () => {
    const groups = [
      { TargetGroupArn: "a", Weight: 3 },
      { TargetGroupArn: "b", Weight: 1 },
      { TargetGroupArn: "c", Weight: 0 },
    ];
    const picks = Array.from(
      { length: 100 },
      (_, i) => pickWeighted(groups, i / 100)?.TargetGroupArn,
    );
    expect(picks.filter((p) => p === "a")).toHaveLength(75);
    expect(picks.filter((p) => p === "b")).toHaveLength(25);
    expect(picks).not.toContain("c");
  });

  const record = (id: string, state: TargetRecord["health"]["State"]): TargetRecord => ({
    ...initialRecord({ Id: id, Port: 80 }),
    health: { State: state },
  });

  it("routes to healthy targets only, and fails open when none is healthy", () => {
    expect(
      routableTargets([
        record("a", "healthy"),
        record("b", "unhealthy"),
        record("c", "draining"),
      ]).map((r) => r.target.Id),
    ).toEqual(["a"]);
    expect(
      routableTargets([record("b", "unhealthy"), record("c", "draining")]).map((r) => r.target.Id),
    ).toEqual(["b"]);
    expect(routableTargets([record("c", "draining")])).toEqual([]);
  });
});
