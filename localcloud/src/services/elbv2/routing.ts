import type { TargetRecord } from "./health";
import type { Action, Rule, RuleCondition, TargetGroupTuple } from "./model";

/** ALB wildcard matching: `*` is any run of characters, `?` exactly one. */
export const wildcardMatch = (pattern: string, value: string, caseInsensitive = false): boolean => {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  const regex = new RegExp(
    `^${escaped.replace(/\*/g, ".*").replace(/\?/g, ".")}$`,
    caseInsensitive ? "i" : "",
  );
  return regex.test(value);
};

const conditionMatches = (condition: RuleCondition, path: string, host: string): boolean => {
  if (condition.Field === "path-pattern") {
    return condition.Values.some((pattern) => wildcardMatch(pattern, path));
  }
  const hostname = host.replace(/:\d+$/, "");
  return condition.Values.some((pattern) => wildcardMatch(pattern, hostname, true));
};

/** The first rule (by priority, default last) whose conditions all match. */
export const matchRule = (rules: Rule[], path: string, host: string): Rule | undefined =>
  [...rules]
    .sort((a, b) => priorityOf(a) - priorityOf(b))
    .find((rule) => rule.Conditions.every((c) => conditionMatches(c, path, host)));

const priorityOf = (rule: Rule): number =>
  rule.IsDefault ? Number.POSITIVE_INFINITY : Number(rule.Priority);

/** The weighted target groups a forward action sends to. */
export const forwardTargets = (action: Action): TargetGroupTuple[] => {
  if (action.ForwardConfig?.TargetGroups.length) return action.ForwardConfig.TargetGroups;
  return action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [];
};

/** Weighted choice; `random` in [0, 1). Groups with weight 0 never receive traffic. */
export const pickWeighted = (
  groups: TargetGroupTuple[],
  random: number,
): TargetGroupTuple | undefined => {
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0);
  if (total <= 0) return undefined;
  let point = random * total;
  for (const group of groups) {
    point -= group.Weight ?? 1;
    if (point < 0 && (group.Weight ?? 1) > 0) return group;
  }
  return groups.filter((g) => (g.Weight ?? 1) > 0).at(-1);
};

/**
 * The targets a request may go to: the healthy ones; when none is healthy, every target that is
 * not draining (the ALB fails open). Draining targets never receive new requests.
 */
export const routableTargets = <T extends TargetRecord>(records: T[]): T[] => {
  const healthy = records.filter((r) => r.health.State === "healthy");
  if (healthy.length > 0) return healthy;
  return records.filter((r) => r.health.State === "unhealthy" || r.health.State === "initial");
};
