import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  ModifyRuleCommand,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ConfigurationError, quote } from "../lib/errors";
import { freePriority } from "./api-plan";

/** Every rule of a listener (DescribeRules pages with Marker). */
export async function listenerRules(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await elb.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker ? { Marker: marker } : {}) }),
    );
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return rules;
}

function forwardsTo(rule: Rule | Listener, targetGroupArn: string): boolean {
  const actions = "DefaultActions" in rule ? rule.DefaultActions : (rule as Rule).Actions;
  return (actions ?? []).some(
    (action) =>
      action.TargetGroupArn === targetGroupArn ||
      (action.ForwardConfig?.TargetGroups ?? []).some(
        (group) => group.TargetGroupArn === targetGroupArn,
      ),
  );
}

/**
 * The listener that sends traffic to production's target group: the one whose default action
 * or one of whose rules forwards to it. Previews' host rules go on this listener.
 */
export async function productionListener(
  elb: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  targetGroupArn: string,
): Promise<string> {
  const listeners =
    (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn })))
      .Listeners ?? [];
  for (const listener of listeners) {
    if (forwardsTo(listener, targetGroupArn)) return listener.ListenerArn ?? "";
  }
  for (const listener of listeners) {
    const rules = await listenerRules(elb, listener.ListenerArn ?? "");
    if (rules.some((rule) => forwardsTo(rule, targetGroupArn))) return listener.ListenerArn ?? "";
  }
  throw new ConfigurationError(
    `no listener of load balancer ${quote(loadBalancerArn)} forwards to the production target group ${quote(targetGroupArn)}: a preview's host rule has nowhere to go`,
  );
}

/** Whether a rule's only condition is host-header = host (case-insensitive, as ELBv2 matches). */
export function matchesHostOnly(rule: Rule, host: string): boolean {
  const conditions = rule.Conditions ?? [];
  if (conditions.length !== 1 || conditions[0]?.Field !== "host-header") return false;
  const values = conditions[0].HostHeaderConfig?.Values ?? conditions[0].Values ?? [];
  return values.length === 1 && values[0]?.toLowerCase() === host.toLowerCase();
}

const forward = (targetGroupArn: string) => [
  { Type: "forward" as const, TargetGroupArn: targetGroupArn },
];

/**
 * Ensures one rule `host-header = host → forward to the preview's target group` on the listener.
 * A rule for the host from an earlier run is reused (and pointed at the group); otherwise the
 * lowest free priority is taken, and when another run takes it between the read and the write
 * (PriorityInUse), the rules are read again and the next free one is tried.
 */
export async function ensureHostRule(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  host: string,
  targetGroupArn: string,
  tags: { Key: string; Value: string }[],
): Promise<{ ruleArn: string; priority: string; created: boolean }> {
  const lost: number[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const rules = await listenerRules(elb, listenerArn);
    const existing = rules.find((rule) => !rule.IsDefault && matchesHostOnly(rule, host));
    if (existing?.RuleArn) {
      if (!forwardsTo(existing, targetGroupArn)) {
        await elb.send(
          new ModifyRuleCommand({ RuleArn: existing.RuleArn, Actions: forward(targetGroupArn) }),
        );
      }
      return { ruleArn: existing.RuleArn, priority: existing.Priority ?? "", created: false };
    }
    const used = rules.flatMap((rule) => (rule.IsDefault ? [] : [Number(rule.Priority)]));
    const priority = freePriority(used, lost);
    if (priority === undefined) {
      throw new ConfigurationError(
        `listener ${quote(listenerArn)} has no free rule priority left for ${host}`,
      );
    }
    try {
      const created = await elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
          Actions: forward(targetGroupArn),
          Tags: tags,
        }),
      );
      return {
        ruleArn: created.Rules?.[0]?.RuleArn ?? "",
        priority: String(priority),
        created: true,
      };
    } catch (error) {
      if (
        (error as Error).name !== "PriorityInUseException" &&
        (error as Error).name !== "PriorityInUse"
      ) {
        throw error;
      }
      lost.push(priority);
    }
  }
  throw new Error(`no rule priority could be taken on ${listenerArn} for ${host} after 20 tries`);
}

/**
 * Deletes the listener rules of a preview: those forwarding to its target group, and any rule
 * whose only condition is its host. Rules already gone are not an error.
 */
export async function deleteHostRules(
  elb: ElasticLoadBalancingV2Client,
  listenerArns: string[],
  host: string,
  targetGroupArn: string | undefined,
): Promise<string[]> {
  const deleted: string[] = [];
  for (const listenerArn of listenerArns) {
    for (const rule of await listenerRules(elb, listenerArn)) {
      if (rule.IsDefault || !rule.RuleArn) continue;
      const ours =
        matchesHostOnly(rule, host) ||
        (targetGroupArn !== undefined && forwardsTo(rule, targetGroupArn));
      if (!ours) continue;
      try {
        await elb.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
      } catch (error) {
        if (!/RuleNotFound/.test((error as Error).name)) throw error;
      }
      deleted.push(rule.RuleArn);
    }
  }
  return deleted;
}
