import { AwsError } from "../../server/errors";
import type {
  AdvancedConfiguration,
  CanaryConfiguration,
  DeploymentConfigurationRecord,
  DeploymentStrategy,
  Json,
  LinearConfiguration,
  ServiceLoadBalancer,
} from "./model";

/**
 * The deployment strategy part of deploymentConfiguration (strategy, bake times, canary and linear
 * steps, lifecycle hooks) and loadBalancers[].advancedConfiguration: read from a request and
 * checked the way the ECS API documents them, before anything is stored.
 */

const invalid = (message: string) => new AwsError("InvalidParameterException", message);

const STRATEGIES: DeploymentStrategy[] = ["ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"];
const HOOK_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
];
/** Stages only a Lambda hook may run at (a PAUSE hook cannot). */
const LAMBDA_ONLY_STAGES = ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"];

/** Documented defaults of the canary and linear configurations. */
export const CANARY_DEFAULTS: CanaryConfiguration = {
  canaryPercent: 5,
  canaryBakeTimeInMinutes: 10,
};
export const LINEAR_DEFAULTS: LinearConfiguration = { stepPercent: 10, stepBakeTimeInMinutes: 6 };

export const strategyOf = (config: DeploymentConfigurationRecord): DeploymentStrategy =>
  config.strategy ?? "ROLLING";

/** Whether deployments with this configuration shift traffic between two target groups. */
export const shiftsTraffic = (config: DeploymentConfigurationRecord): boolean =>
  strategyOf(config) !== "ROLLING";

const minutes = (value: unknown, name: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1440) {
    throw invalid(`${name} must be an integer between 0 and 1440 minutes.`);
  }
  return n;
};

/** A percentage that must be a multiple of 0.1 within [min, 100]. */
const percent = (value: unknown, name: string, min: number): number => {
  const n = Number(value);
  const tenths = Math.round(n * 10);
  if (!Number.isFinite(n) || Math.abs(n * 10 - tenths) > 1e-6 || n < min || n > 100) {
    throw invalid(`${name} must be a multiple of 0.1 between ${min.toFixed(1)} and 100.0.`);
  }
  return tenths / 10;
};

const lifecycleHooksOf = (value: unknown): Json[] => {
  if (!Array.isArray(value)) throw invalid("lifecycleHooks must be a list.");
  return value.map((hook: Json, i) => {
    const where = `lifecycleHooks[${i}]`;
    const targetType = (hook.targetType as string | undefined) ?? "AWS_LAMBDA";
    if (targetType !== "AWS_LAMBDA" && targetType !== "PAUSE") {
      throw invalid(`${where}.targetType must be AWS_LAMBDA or PAUSE.`);
    }
    const stages = hook.lifecycleStages as unknown[] | undefined;
    if (!Array.isArray(stages) || stages.length === 0) {
      throw invalid(`${where}.lifecycleStages must name at least one lifecycle stage.`);
    }
    for (const stage of stages) {
      if (!HOOK_STAGES.includes(String(stage))) {
        throw invalid(`${where}.lifecycleStages: ${String(stage)} is not a lifecycle stage.`);
      }
      if (targetType === "PAUSE" && LAMBDA_ONLY_STAGES.includes(String(stage))) {
        throw invalid(`PAUSE hooks cannot be configured at the ${String(stage)} stage.`);
      }
    }
    if (targetType === "AWS_LAMBDA" && (!hook.hookTargetArn || !hook.roleArn)) {
      throw invalid(`${where}: an AWS_LAMBDA hook needs a hookTargetArn and a roleArn.`);
    }
    const timeout = hook.timeoutConfiguration as Json | undefined;
    if (timeout?.timeoutInMinutes !== undefined) {
      minutes(timeout.timeoutInMinutes, `${where}.timeoutConfiguration.timeoutInMinutes`);
    }
    if (
      timeout?.action !== undefined &&
      !["ROLLBACK", "CONTINUE"].includes(String(timeout.action))
    ) {
      throw invalid(`${where}.timeoutConfiguration.action must be ROLLBACK or CONTINUE.`);
    }
    return hook;
  });
};

/**
 * The strategy settings of a request's deploymentConfiguration laid over the ones the service
 * has (UpdateService changes only what it names), then checked as a whole.
 */
export const strategySettingsOf = (
  config: Json,
  current: Partial<DeploymentConfigurationRecord> = {},
): Partial<DeploymentConfigurationRecord> => {
  const next: Partial<DeploymentConfigurationRecord> = {
    ...(current.strategy ? { strategy: current.strategy } : {}),
    ...(current.bakeTimeInMinutes !== undefined
      ? { bakeTimeInMinutes: current.bakeTimeInMinutes }
      : {}),
    ...(current.canaryConfiguration ? { canaryConfiguration: current.canaryConfiguration } : {}),
    ...(current.linearConfiguration ? { linearConfiguration: current.linearConfiguration } : {}),
    ...(current.lifecycleHooks ? { lifecycleHooks: current.lifecycleHooks } : {}),
  };
  if (config.strategy !== undefined) {
    if (!STRATEGIES.includes(config.strategy as DeploymentStrategy)) {
      throw invalid(
        `deploymentConfiguration.strategy must be one of ${STRATEGIES.join(", ")}, got ${String(config.strategy)}.`,
      );
    }
    next.strategy = config.strategy as DeploymentStrategy;
  }
  if (config.bakeTimeInMinutes !== undefined) {
    next.bakeTimeInMinutes = minutes(config.bakeTimeInMinutes, "bakeTimeInMinutes");
  }
  const canary = config.canaryConfiguration as Json | undefined;
  if (canary !== undefined) {
    next.canaryConfiguration = {
      canaryPercent:
        canary.canaryPercent === undefined
          ? CANARY_DEFAULTS.canaryPercent
          : percent(canary.canaryPercent, "canaryConfiguration.canaryPercent", 0.1),
      canaryBakeTimeInMinutes:
        canary.canaryBakeTimeInMinutes === undefined
          ? CANARY_DEFAULTS.canaryBakeTimeInMinutes
          : minutes(canary.canaryBakeTimeInMinutes, "canaryConfiguration.canaryBakeTimeInMinutes"),
    };
  }
  const linear = config.linearConfiguration as Json | undefined;
  if (linear !== undefined) {
    next.linearConfiguration = {
      stepPercent:
        linear.stepPercent === undefined
          ? LINEAR_DEFAULTS.stepPercent
          : percent(linear.stepPercent, "linearConfiguration.stepPercent", 3),
      stepBakeTimeInMinutes:
        linear.stepBakeTimeInMinutes === undefined
          ? LINEAR_DEFAULTS.stepBakeTimeInMinutes
          : minutes(linear.stepBakeTimeInMinutes, "linearConfiguration.stepBakeTimeInMinutes"),
    };
  }
  if (config.lifecycleHooks !== undefined)
    next.lifecycleHooks = lifecycleHooksOf(config.lifecycleHooks);

  const strategy = next.strategy ?? "ROLLING";
  // A strategy change drops the other strategies' settings unless the request gives them again.
  if (strategy !== "CANARY" && next.canaryConfiguration) {
    if (canary !== undefined) {
      throw invalid("canaryConfiguration is only valid with the CANARY deployment strategy.");
    }
    delete next.canaryConfiguration;
  }
  if (strategy !== "LINEAR" && next.linearConfiguration) {
    if (linear !== undefined) {
      throw invalid("linearConfiguration is only valid with the LINEAR deployment strategy.");
    }
    delete next.linearConfiguration;
  }
  if (strategy === "BLUE_GREEN" && next.bakeTimeInMinutes === undefined) {
    throw invalid("bakeTimeInMinutes must be specified with the BLUE_GREEN deployment strategy.");
  }
  return next;
};

/** loadBalancers[i].advancedConfiguration as a request gives it, or undefined. */
export const advancedConfigurationOf = (value: unknown): AdvancedConfiguration | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const config = value as Json;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const alternate = text(config.alternateTargetGroupArn);
  if (!alternate) {
    throw invalid("advancedConfiguration.alternateTargetGroupArn must be specified.");
  }
  const production = text(config.productionListenerRule);
  const test = text(config.testListenerRule);
  const role = text(config.roleArn);
  return {
    alternateTargetGroupArn: alternate,
    ...(production ? { productionListenerRule: production } : {}),
    ...(test ? { testListenerRule: test } : {}),
    ...(role ? { roleArn: role } : {}),
  };
};

/** What the load balancer side must hold for a traffic-shifting strategy (checked in ELBv2). */
export interface ListenerRuleLookup {
  targetGroupExists(arn: string): boolean;
  /** The target groups a rule forwards to, or undefined when there is no such rule. */
  ruleTargets(ruleArn: string): string[] | undefined;
}

/**
 * A traffic-shifting strategy needs, on every load balancer, an alternate target group, the
 * production listener rule it shifts and the role ECS would call ELB with. Both target groups
 * must be associated with the listener rules (production, or production and test), so that the
 * load balancer checks the health of whichever group green starts in.
 */
export const checkTrafficShifting = (
  strategy: DeploymentStrategy,
  loadBalancers: ServiceLoadBalancer[],
  elb: ListenerRuleLookup | undefined,
): void => {
  if (strategy === "ROLLING") return;
  for (const lb of loadBalancers) {
    const advanced = lb.advancedConfiguration;
    if (!advanced?.productionListenerRule || !advanced.roleArn) {
      throw invalid(
        `The ${strategy} deployment strategy requires advancedConfiguration with alternateTargetGroupArn, productionListenerRule and roleArn for load balancer target group ${lb.targetGroupArn}.`,
      );
    }
    if (advanced.alternateTargetGroupArn === lb.targetGroupArn) {
      throw invalid("alternateTargetGroupArn must differ from targetGroupArn.");
    }
    if (!elb) continue;
    for (const arn of [lb.targetGroupArn, advanced.alternateTargetGroupArn]) {
      if (!elb.targetGroupExists(arn)) throw invalid(`Unable to find target group ${arn}.`);
    }
    const associated = new Set<string>();
    for (const rule of [advanced.productionListenerRule, advanced.testListenerRule]) {
      if (!rule) continue;
      const targets = elb.ruleTargets(rule);
      if (!targets) throw invalid(`Unable to find listener rule ${rule}.`);
      for (const target of targets) associated.add(target);
    }
    for (const arn of [lb.targetGroupArn, advanced.alternateTargetGroupArn]) {
      if (!associated.has(arn)) {
        throw invalid(
          `Target group ${arn} is not associated with the production or test listener rule.`,
        );
      }
    }
  }
};
