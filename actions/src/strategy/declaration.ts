import type { InputDeclarations } from "../lib/declaration";

/** How a service's new revision takes over and is judged: deploy and deploy-service share them. */
export const DELIVERY_INPUTS = {
  strategy: {
    description:
      'How the new revision takes over (ECS deployment strategy): rolling (the gate judges target health), blue-green, canary [PERCENT%] [BAKE] (e.g. "canary 10% 5m") or linear [STEP%] [STEP-BAKE] (e.g. "linear 20% 2m"). Parts left out take ECS\'s defaults (canary 5% 10m, linear 10% 6m). Any but rolling needs alternate-target-group, production-listener-rule and load-balancer-role.',
    default: "rolling",
    config: "strategy.type",
  },
  "bake-time": {
    description:
      "Whole minutes ECS keeps the old revision after all traffic moved (bakeTimeInMinutes), blue-green, canary and linear. Default: the service's.",
    config: "strategy.bake-time",
  },
  "alternate-target-group": {
    description:
      "ARN of the target group the new revision starts in (the service's alternate target group).",
    config: "strategy.alternate-target-group",
  },
  "production-listener-rule": {
    description:
      "ARN of the listener rule that forwards production traffic to both target groups; ECS moves its weights.",
    config: "strategy.production-listener-rule",
  },
  "test-listener-rule": {
    description: "ARN of a listener rule for test traffic to the new revision (optional).",
    config: "strategy.test-listener-rule",
  },
  "load-balancer-role": {
    description:
      "ARN of the ECS infrastructure role that lets ECS change the listener rules (AmazonECSInfrastructureRolePolicyForLoadBalancers).",
    config: "strategy.role",
  },
  alarms: {
    description:
      "Your CloudWatch alarms ECS watches during the deployment and its bake time, one per line: one in ALARM rolls the deployment back (exit 1, the alarm named). Default: the service's.",
    cli: { repeatable: true },
    config: "alarms",
  },
  analysis: {
    description:
      "KEY=VALUE lines overriding the analysis of the new target group against the old one while it takes production traffic (not with rolling): interval (1m), max-error-rate (5%), error-rate-factor (2), error-rate-floor (2%), latency-factor (1.5), latency-floor (50ms), min-requests (20), consecutive-failures (2), enabled (true).",
    cli: { repeatable: true },
    config: "analysis",
  },
} satisfies InputDeclarations;
