import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ServiceStack } from "../../actions/test/service/cloud";

/**
 * How the bench rolls a release out under one strategy: the deploy-service inputs that choose
 * it, and what the service needs before its first rollout under it.
 */
export interface Strategy {
  label: string;
  /** Inputs added to every deploy-service call under this strategy (after prepare). */
  inputs: Record<string, string>;
  /** Creates what the strategy needs once, returning the inputs that name it. */
  prepare?: (stack: ServiceStack) => Promise<Record<string, string>>;
  /** Why the strategy cannot run in this checkout; undefined when it can. */
  unavailable?: string;
}

/** Today's gate: ECS's rolling update, judged on the load balancer's health checks. */
export const rolling: Strategy = { label: "rolling", inputs: {} };

/**
 * What ECS's traffic-shifting strategies need beside the service, as a user creates it once on
 * AWS: a second target group like the first (the new revision starts there) and a listener rule
 * forwarding all traffic to both, all of it to the first; ECS moves the weights.
 */
async function createAlternateRouting(stack: ServiceStack): Promise<Record<string, string>> {
  const { elb } = stack.clients;
  const primary = (
    await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [stack.targetGroupArn] }))
  ).TargetGroups?.[0];
  if (!primary?.LoadBalancerArns?.[0])
    throw new Error("the service's target group has no load balancer");
  const alternate = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: `${primary.TargetGroupName}-alt`,
        Protocol: primary.Protocol,
        Port: primary.Port,
        VpcId: primary.VpcId,
        TargetType: primary.TargetType,
        HealthCheckPath: primary.HealthCheckPath,
        HealthCheckIntervalSeconds: primary.HealthCheckIntervalSeconds,
        HealthCheckTimeoutSeconds: primary.HealthCheckTimeoutSeconds,
        HealthyThresholdCount: primary.HealthyThresholdCount,
        UnhealthyThresholdCount: primary.UnhealthyThresholdCount,
      }),
    )
  ).TargetGroups?.[0]?.TargetGroupArn;
  if (!alternate) throw new Error("CreateTargetGroup returned no target group");
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: alternate,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
    }),
  );
  const listener = (
    await elb.send(new DescribeListenersCommand({ LoadBalancerArn: primary.LoadBalancerArns[0] }))
  ).Listeners?.find((l) => l.Port === 80);
  const rule = (
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener?.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/*"] } }],
        Actions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: stack.targetGroupArn, Weight: 100 },
                { TargetGroupArn: alternate, Weight: 0 },
              ],
            },
          },
        ],
      }),
    )
  ).Rules?.[0]?.RuleArn;
  if (!rule) throw new Error("CreateRule returned no rule");
  // The account of the stack's own resources; the role is ECS's infrastructure role for load
  // balancers, which the cloud does not check.
  const account = stack.targetGroupArn.split(":")[4] ?? "000000000000";
  return {
    "alternate-target-group": alternate,
    "production-listener-rule": rule,
    "load-balancer-role": `arn:aws:iam::${account}:role/ecsInfrastructureRoleForLoadBalancers`,
  };
}

const routingOf = new WeakMap<ServiceStack, Promise<Record<string, string>>>();

/** Created once per stack: every traffic-shifting strategy of a run shares it. */
function alternateRouting(stack: ServiceStack): Promise<Record<string, string>> {
  const known = routingOf.get(stack) ?? createAlternateRouting(stack);
  routingOf.set(stack, known);
  return known;
}

/**
 * ECS's native canary strategy: 10% of production traffic to the new revision for its bake time
 * (5 minutes, 15 s at the cloud's pace), judged by shipline's analysis of the load balancer's
 * metrics meanwhile. The analysis interval is 1 s, not AWS's 60 s: the cloud's metrics carry
 * real time while its minutes last 3 s, so a minute-long interval would outlast the bake. A
 * second carries few requests, hence 5 as the minimum to judge one (the default 20 is for a
 * minute of traffic).
 */
export const canary: Strategy = {
  label: "canary 10%",
  inputs: {
    strategy: "canary 10% 5m",
    "bake-time": "1m",
    analysis: "interval=1s\nmin-requests=5",
  },
  prepare: alternateRouting,
};

/**
 * The same canary stopped on the first failing interval, as the project's canary test runs it:
 * one failing second standing for the two failing minutes the defaults wait for on AWS.
 */
export const canaryFirstFailure: Strategy = {
  label: "canary 10%, stop on 1st failing interval",
  inputs: { ...canary.inputs, analysis: "interval=1s\nmin-requests=5\nconsecutive-failures=1" },
  prepare: alternateRouting,
};

export const STRATEGIES: Record<string, Strategy> = {
  rolling,
  canary,
  "canary-first-failure": canaryFirstFailure,
};
