import type { Elbv2Service, TargetGroupTuple } from "../elbv2";
import type { MonitoringService } from "../monitoring";
import {
  circuitBreakerThreshold,
  type DeploymentRecord,
  type ServiceDeploymentRecord,
  type ServiceRecord,
  type TaskRecord,
} from "./model";
import { finish } from "./service-deployments";
import { CANARY_DEFAULTS, LINEAR_DEFAULTS, strategyOf } from "./strategy-config";

/**
 * The blue/green, canary and linear deployments of ECS: the new revision (green) starts at the
 * full desired count in the target group that does not serve production, and once it is healthy
 * the production listener rule's forward weights move from blue to green — all at once, a canary
 * step then the rest, or linear steps — each step baked; after the last one blue keeps running for
 * the bake time, then it is stopped. A triggered alarm, the circuit breaker or a requested rollback
 * sends all traffic back to blue at once and stops green.
 */

/** What the engine needs of the scheduler. */
export interface ShiftHost {
  timeScale: number;
  elb(): Elbv2Service | undefined;
  monitoring(): MonitoringService | undefined;
  tasksOf(service: ServiceRecord): TaskRecord[];
  isHealthy(service: ServiceRecord, task: TaskRecord): boolean;
  startTasks(service: ServiceRecord, deployment: DeploymentRecord, count: number): void;
  stopTask(service: ServiceRecord, task: TaskRecord, reason: string): void;
  event(service: ServiceRecord, message: string): void;
}

/** The target group serving production on each load balancer. */
export const liveTargetGroups = (service: ServiceRecord): string[] =>
  service.loadBalancers.map((lb, i) => service.liveTargetGroups?.[i] ?? lb.targetGroupArn);

/** The target group that does not serve production on each load balancer (green's). */
export const idleTargetGroups = (service: ServiceRecord): string[] => {
  const live = liveTargetGroups(service);
  return service.loadBalancers.map((lb, i) =>
    live[i] === lb.targetGroupArn
      ? (lb.advancedConfiguration?.alternateTargetGroupArn ?? lb.targetGroupArn)
      : lb.targetGroupArn,
  );
};

/** Forward weights for a share of traffic on green: whole percents, or tenths out of 1000. */
export const forwardWeights = (
  primary: string,
  alternate: string,
  green: string,
  greenPercent: number,
): TargetGroupTuple[] => {
  const whole = Number.isInteger(greenPercent);
  const greenWeight = whole ? greenPercent : Math.round(greenPercent * 10);
  const blueWeight = (whole ? 100 : 1000) - greenWeight;
  const weightOf = (arn: string) => (arn === green ? greenWeight : blueWeight);
  return [
    { TargetGroupArn: primary, Weight: weightOf(primary) },
    { TargetGroupArn: alternate, Weight: weightOf(alternate) },
  ];
};

/** The shares of production traffic green receives, step by step, and the bake after each. */
export const trafficSteps = (
  sd: ServiceDeploymentRecord,
): { percents: number[]; stepBakeMinutes: number } => {
  const config = sd.deploymentConfiguration;
  const strategy = strategyOf(config);
  if (strategy === "CANARY") {
    const canary = config.canaryConfiguration ?? CANARY_DEFAULTS;
    const percents = canary.canaryPercent >= 100 ? [100] : [canary.canaryPercent, 100];
    return { percents, stepBakeMinutes: canary.canaryBakeTimeInMinutes };
  }
  if (strategy === "LINEAR") {
    const linear = config.linearConfiguration ?? LINEAR_DEFAULTS;
    const percents: number[] = [];
    for (let p = linear.stepPercent; p < 100 - 1e-9; p += linear.stepPercent) {
      percents.push(Math.round(p * 10) / 10);
    }
    percents.push(100);
    return { percents, stepBakeMinutes: linear.stepBakeTimeInMinutes };
  }
  return { percents: [100], stepBakeMinutes: 0 };
};

export class TrafficShift {
  constructor(private readonly host: ShiftHost) {}

  private minutes(value: number): number {
    return value * 60_000 * this.host.timeScale;
  }

  /** Points every production (and test) rule's weights at green's share of the traffic. */
  private route(
    service: ServiceRecord,
    green: DeploymentRecord,
    percent: number,
    rules: "production" | "test" | "both",
  ): void {
    const elb = this.host.elb();
    if (!elb) return;
    const greenGroups = green.targetGroups ?? liveTargetGroups(service);
    service.loadBalancers.forEach((lb, i) => {
      const advanced = lb.advancedConfiguration;
      const greenGroup = greenGroups[i];
      if (!advanced || !greenGroup) return;
      const weights = forwardWeights(
        lb.targetGroupArn,
        advanced.alternateTargetGroupArn,
        greenGroup,
        percent,
      );
      if (rules !== "test" && advanced.productionListenerRule) {
        elb.setForwardWeights(advanced.productionListenerRule, weights);
      }
      if (rules !== "production" && advanced.testListenerRule) {
        elb.setForwardWeights(advanced.testListenerRule, weights);
      }
    });
  }

  private stage(
    service: ServiceRecord,
    sd: ServiceDeploymentRecord,
    stage: ServiceDeploymentRecord["lifecycleStage"],
  ): void {
    sd.lifecycleStage = stage;
    sd.stageStartedAt = Date.now();
    sd.updatedAt = Date.now();
    this.host.event(
      service,
      `(service ${service.serviceName}) (service-deployment ${sd.serviceDeploymentArn.split("/").pop()}) entered lifecycle stage ${stage}.`,
    );
  }

  private shiftTo(
    service: ServiceRecord,
    sd: ServiceDeploymentRecord,
    green: DeploymentRecord,
    percent: number,
  ): void {
    this.route(service, green, percent, "production");
    sd.targetTrafficPercent = percent;
    sd.stageStartedAt = Date.now();
    sd.updatedAt = Date.now();
    this.host.event(
      service,
      `(service ${service.serviceName}) shifted ${percent}% of production traffic to service revision ${sd.targetRevisionArn.split("/").pop()}.`,
    );
  }

  /** One pass over a traffic-shifting service deployment. */
  advance(service: ServiceRecord, sd: ServiceDeploymentRecord): void {
    const green = service.deployments.find((d) => d.id === sd.deploymentId);
    if (!green) {
      finish(sd, "STOPPED", "The deployment's tasks were replaced.");
      return;
    }
    const blues = service.deployments.filter((d) => sd.sourceDeploymentIds.includes(d.id));
    const tasks = this.host.tasksOf(service).filter((t) => t.desiredStatus === "RUNNING");
    // Tasks of deployments this one replaced before they finished have no place here.
    for (const task of tasks) {
      if (task.deploymentId !== green.id && !blues.some((b) => b.id === task.deploymentId)) {
        this.host.stopTask(service, task, `Scaling activity initiated by (deployment ${green.id})`);
      }
    }
    if (sd.status === "ROLLBACK_REQUESTED") {
      this.rollBack(service, sd, green, blues, sd.statusReason ?? "Rollback requested.");
      return;
    }
    if (sd.status !== "IN_PROGRESS") return;
    if (this.failed(service, sd, green, blues)) return;

    const desired = service.status === "DRAINING" ? 0 : service.desiredCount;
    green.desiredCount = desired;
    const greenTasks = tasks.filter((t) => t.deploymentId === green.id);
    if (sd.lifecycleStage !== "PRE_SCALE_UP" && greenTasks.length < desired) {
      this.host.startTasks(service, green, desired - greenTasks.length);
    }
    const since = Date.now() - (sd.stageStartedAt ?? sd.createdAt);
    switch (sd.lifecycleStage) {
      case "PRE_SCALE_UP":
        // Whatever an earlier deployment left, production starts this one on blue alone.
        this.route(service, green, 0, "both");
        sd.targetTrafficPercent = 0;
        this.stage(service, sd, "SCALE_UP");
        return;
      case "SCALE_UP": {
        const healthy = greenTasks.filter((t) => this.host.isHealthy(service, t)).length;
        if (healthy >= desired) this.stage(service, sd, "POST_SCALE_UP");
        return;
      }
      case "POST_SCALE_UP":
        this.stage(service, sd, "TEST_TRAFFIC_SHIFT");
        this.route(service, green, 100, "test");
        return;
      case "TEST_TRAFFIC_SHIFT":
        this.stage(service, sd, "POST_TEST_TRAFFIC_SHIFT");
        return;
      case "POST_TEST_TRAFFIC_SHIFT": {
        this.stage(service, sd, "PRODUCTION_TRAFFIC_SHIFT");
        const first = trafficSteps(sd).percents[0] ?? 100;
        this.shiftTo(service, sd, green, first);
        return;
      }
      case "PRODUCTION_TRAFFIC_SHIFT": {
        const { percents, stepBakeMinutes } = trafficSteps(sd);
        const current = sd.targetTrafficPercent ?? 0;
        if (current >= 100) {
          this.stage(service, sd, "POST_PRODUCTION_TRAFFIC_SHIFT");
          return;
        }
        if (since < this.minutes(stepBakeMinutes)) return;
        const next = percents.find((p) => p > current) ?? 100;
        this.shiftTo(service, sd, green, next);
        return;
      }
      case "POST_PRODUCTION_TRAFFIC_SHIFT":
        this.stage(service, sd, "BAKE_TIME");
        return;
      case "BAKE_TIME":
        if (since < this.minutes(sd.deploymentConfiguration.bakeTimeInMinutes ?? 0)) return;
        this.stage(service, sd, "CLEAN_UP");
        service.liveTargetGroups = green.targetGroups ?? liveTargetGroups(service);
        for (const task of tasks) {
          if (blues.some((b) => b.id === task.deploymentId)) {
            this.host.stopTask(
              service,
              task,
              `Scaling activity initiated by (deployment ${green.id})`,
            );
          }
        }
        return;
      case "CLEAN_UP": {
        const left = this.host
          .tasksOf(service)
          .some((t) => blues.some((b) => b.id === t.deploymentId) && t.lastStatus !== "STOPPED");
        if (left) return;
        green.rolloutState = "COMPLETED";
        green.rolloutStateReason = `ECS deployment ${green.id} completed.`;
        green.updatedAt = Date.now();
        service.lastCompletedTaskDefinition = green.taskDefinition;
        if (green.revisionArn) service.lastCompletedRevisionArn = green.revisionArn;
        finish(sd, "SUCCESSFUL", "Service deployment completed.");
        this.host.event(
          service,
          `(service ${service.serviceName}) (deployment ${green.id}) deployment completed.`,
        );
        this.host.event(service, `(service ${service.serviceName}) has reached a steady state.`);
        return;
      }
      default:
        return;
    }
  }

  /** The circuit breaker and the deployment alarms, watched until blue is let go. */
  private failed(
    service: ServiceRecord,
    sd: ServiceDeploymentRecord,
    green: DeploymentRecord,
    blues: DeploymentRecord[],
  ): boolean {
    if (sd.lifecycleStage === "CLEAN_UP") return false;
    const config = sd.deploymentConfiguration;
    const breaker = config.deploymentCircuitBreaker;
    if (breaker.enable && green.failedTasks >= circuitBreakerThreshold(service.desiredCount)) {
      sd.circuitBreakerTriggered = true;
      this.rollBack(
        service,
        sd,
        green,
        blues,
        "ECS deployment circuit breaker: tasks failed to start.",
      );
      return true;
    }
    const alarms = config.alarms;
    const monitoring = this.host.monitoring();
    if (!alarms?.enable || !monitoring) return false;
    const triggered = alarms.alarmNames.filter((name) => monitoring.alarmState(name) === "ALARM");
    if (triggered.length === 0) return false;
    sd.triggeredAlarmNames = triggered;
    this.rollBack(
      service,
      sd,
      green,
      blues,
      `ECS deployment detected triggered alarm(s) (${triggered.join(", ")}). Rolling back to the previous service revision.`,
    );
    return true;
  }

  /** All production traffic back to blue at once, then green's tasks stopped. */
  private rollBack(
    service: ServiceRecord,
    sd: ServiceDeploymentRecord,
    green: DeploymentRecord,
    blues: DeploymentRecord[],
    reason: string,
  ): void {
    this.route(service, green, 0, "both");
    sd.targetTrafficPercent = 0;
    const blue = blues.find((b) => b.rolloutState === "COMPLETED") ?? blues[0];
    green.rolloutState = "FAILED";
    green.rolloutStateReason = reason;
    green.updatedAt = Date.now();
    if (blue) {
      green.status = "ACTIVE";
      blue.status = "PRIMARY";
      service.taskDefinition = blue.taskDefinition;
    }
    for (const task of this.host.tasksOf(service)) {
      if (task.deploymentId === green.id && task.desiredStatus === "RUNNING") {
        this.host.stopTask(service, task, `Rolling back (deployment ${green.id})`);
      }
    }
    sd.status = "ROLLBACK_IN_PROGRESS";
    sd.statusReason = reason;
    sd.updatedAt = Date.now();
    sd.rollback = {
      reason,
      startedAt: Date.now(),
      serviceRevisionArn: blue?.revisionArn ?? sd.sourceRevisionArns[0] ?? "",
    };
    this.host.event(
      service,
      `(service ${service.serviceName}) (deployment ${green.id}) deployment failed: ${reason}`,
    );
    this.host.event(
      service,
      `(service ${service.serviceName}) rolled production traffic back to service revision ${sd.rollback.serviceRevisionArn.split("/").pop()}.`,
    );
  }
}
