import type {
  DeploymentConfiguration,
  DeploymentStrategy,
  LoadBalancer,
  Service,
} from "@aws-sdk/client-ecs";
import type { DeliverySettings, StrategyName } from "./spec";

const ECS_STRATEGY: Record<StrategyName, DeploymentStrategy> = {
  rolling: "ROLLING",
  "blue-green": "BLUE_GREEN",
  canary: "CANARY",
  linear: "LINEAR",
};

/** What the rollout's UpdateService must also send so the service matches its settings. */
export interface DeliveryPlan {
  /** The whole deploymentConfiguration to send, or undefined when the service's already matches. */
  deploymentConfiguration?: DeploymentConfiguration;
  /** The whole loadBalancers list to send, or undefined when it already matches. */
  loadBalancers?: LoadBalancer[];
  /** One line per setting that changes, for the log and the dry run. */
  changes: string[];
  /** Why the settings cannot apply to this service (nothing is changed then). */
  problems: string[];
}

/** The id of a deployment ECS has not finished (another than PRIMARY, or one still rolling out). */
const deploymentUnderWay = (service: Service): string | undefined =>
  (service.deployments ?? []).find(
    (d) => d.status !== "PRIMARY" || d.rolloutState === "IN_PROGRESS",
  )?.id;

const sameList = (a: string[] = [], b: string[] = []) =>
  a.length === b.length && [...a].sort().every((item, i) => item === [...b].sort()[i]);

/**
 * Compares the live service with its delivery settings (pure). Only what the settings state is
 * compared: a bake time or alarms left out keep the service's. A service that ran a blue/green
 * deployment may have its target groups swapped (the alternate serving): the pair, not the
 * order, is compared.
 */
export function planDelivery(service: Service, settings: DeliverySettings): DeliveryPlan {
  const problems: string[] = [];
  const changes: string[] = [];
  const name = settings.strategy.name;
  const controller = service.deploymentController?.type ?? "ECS";
  if (controller !== "ECS" && (name !== "rolling" || settings.alarms !== undefined)) {
    problems.push(
      `strategy ${name}${settings.alarms ? " and alarms need" : " needs"} the ECS deployment controller; ${service.serviceName} uses ${controller}`,
    );
  }
  const current = service.deploymentConfiguration ?? {};
  const desired: DeploymentConfiguration = { ...current };
  const currentStrategy = current.strategy ?? "ROLLING";
  if (currentStrategy !== ECS_STRATEGY[name]) {
    desired.strategy = ECS_STRATEGY[name];
    changes.push(`deployment strategy ${currentStrategy} → ${ECS_STRATEGY[name]}`);
    const busy = deploymentUnderWay(service);
    // AWS refuses to move a service from blue/green (canary, linear) to rolling while a
    // deployment is in progress. The load balancer configuration stays as it is: rolling tasks
    // register where production is served, the alternate group if ECS swapped the pair.
    if (name === "rolling" && currentStrategy !== "ROLLING" && busy) {
      problems.push(
        `strategy rolling: ${service.serviceName} still has ECS deployment ${busy} in progress under ${currentStrategy}, and ECS does not switch a service to ROLLING until it finishes; wait for it to complete (or stop it), then run again`,
      );
    }
  }
  // ECS takes each strategy's own configuration only with that strategy.
  if (name !== "canary") delete desired.canaryConfiguration;
  if (name !== "linear") delete desired.linearConfiguration;
  if (
    name === "blue-green" &&
    settings.bakeMinutes === undefined &&
    current.bakeTimeInMinutes === undefined
  ) {
    problems.push(
      'input "bake-time" is required with strategy blue-green (ECS needs bakeTimeInMinutes, and the service has none)',
    );
  }
  const { percent, stepBakeMinutes } = settings.strategy;
  if (name === "canary") {
    const now = current.canaryConfiguration;
    if (now?.canaryPercent !== percent || now?.canaryBakeTimeInMinutes !== stepBakeMinutes) {
      desired.canaryConfiguration = {
        canaryPercent: percent as number,
        canaryBakeTimeInMinutes: stepBakeMinutes as number,
      };
      changes.push(`canary ${percent}% for ${stepBakeMinutes} min`);
    }
  }
  if (name === "linear") {
    const now = current.linearConfiguration;
    if (now?.stepPercent !== percent || now?.stepBakeTimeInMinutes !== stepBakeMinutes) {
      desired.linearConfiguration = {
        stepPercent: percent as number,
        stepBakeTimeInMinutes: stepBakeMinutes as number,
      };
      changes.push(`linear steps of ${percent}% every ${stepBakeMinutes} min`);
    }
  }
  if (
    settings.bakeMinutes !== undefined &&
    name !== "rolling" &&
    current.bakeTimeInMinutes !== settings.bakeMinutes
  ) {
    desired.bakeTimeInMinutes = settings.bakeMinutes;
    changes.push(
      `bake time ${current.bakeTimeInMinutes ?? "ECS's default"} → ${settings.bakeMinutes} min`,
    );
  }
  if (settings.alarms !== undefined) {
    const now = current.alarms;
    const wanted = settings.alarms;
    const enable = wanted.length > 0;
    const unchanged =
      sameList(now?.enable ? now.alarmNames : [], wanted) && (!enable || now?.rollback === true);
    if (!unchanged) {
      desired.alarms = { alarmNames: wanted, enable, rollback: true };
      changes.push(
        enable
          ? `deployment alarms (rollback on): ${wanted.join(", ")}`
          : "deployment alarms: none",
      );
    }
  }
  const loadBalancers = planLoadBalancers(service, settings, problems, changes);
  const configChanged = changes.some((line) => !line.startsWith("load balancer"));
  return {
    ...(configChanged ? { deploymentConfiguration: desired } : {}),
    ...(loadBalancers ? { loadBalancers } : {}),
    changes,
    problems,
  };
}

/** The service's one load balancer with the alternate target group and rules, when they differ. */
function planLoadBalancers(
  service: Service,
  settings: DeliverySettings,
  problems: string[],
  changes: string[],
): LoadBalancer[] | undefined {
  if (settings.strategy.name === "rolling") return undefined;
  const entries = service.loadBalancers ?? [];
  if (entries.length !== 1) {
    problems.push(
      `strategy ${settings.strategy.name} needs a service with exactly one load balancer (target group); ${service.serviceName} has ${entries.length}`,
    );
    return undefined;
  }
  const entry = entries[0] as LoadBalancer;
  const { routing } = settings;
  const now = entry.advancedConfiguration;
  const pairNow = [entry.targetGroupArn, now?.alternateTargetGroupArn];
  const alternate = routing.alternateTargetGroup;
  if (alternate === entry.targetGroupArn && now?.alternateTargetGroupArn === undefined) {
    problems.push(
      `input "alternate-target-group" is the service's own target group ${alternate}: the new revision needs another one`,
    );
    return undefined;
  }
  const pairMatches = alternate !== undefined && pairNow.includes(alternate);
  const same =
    pairMatches &&
    now?.productionListenerRule === routing.productionListenerRule &&
    now?.testListenerRule === routing.testListenerRule &&
    now?.roleArn === routing.role;
  if (same) return undefined;
  // Swapped by an earlier deployment (the configured alternate is the service's group now): the
  // pair stays as ECS left it.
  const keptAlternate =
    pairMatches && alternate === entry.targetGroupArn ? now?.alternateTargetGroupArn : undefined;
  const advancedConfiguration = {
    alternateTargetGroupArn: keptAlternate ?? alternate,
    ...(routing.productionListenerRule
      ? { productionListenerRule: routing.productionListenerRule }
      : {}),
    ...(routing.testListenerRule ? { testListenerRule: routing.testListenerRule } : {}),
    ...(routing.role ? { roleArn: routing.role } : {}),
  };
  changes.push(
    `load balancer ${entry.containerName}:${entry.containerPort}: alternate target group ${alternate}, production listener rule ${routing.productionListenerRule}${routing.testListenerRule ? `, test listener rule ${routing.testListenerRule}` : ""}`,
  );
  return [{ ...entry, advancedConfiguration }];
}
