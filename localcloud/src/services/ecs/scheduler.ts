import { randomBytes, randomInt } from "node:crypto";
import type { JsonFile } from "../../state/json-file";
import type { Elbv2Service } from "../elbv2";
import type { MonitoringService } from "../monitoring";
import {
  circuitBreakerThreshold,
  type DeploymentRecord,
  type ServiceDeploymentRecord,
  type ServiceRecord,
  type TaskRecord,
} from "./model";
import {
  currentServiceDeployment,
  finish,
  followServiceDeployment,
  isTrafficShift,
} from "./service-deployments";
import type { EcsState } from "./store";
import type { TaskLauncher } from "./tasks";
import { TrafficShift } from "./traffic-shift";

export interface SchedulerDeps {
  state: JsonFile<EcsState>;
  launcher: TaskLauncher;
  elb(): Elbv2Service | undefined;
  monitoring(): MonitoringService | undefined;
  timeScale: number;
  /** Creates and launches a task of a service's deployment. */
  startServiceTask(service: ServiceRecord, deployment: DeploymentRecord): TaskRecord;
  definitionOf(taskDefinitionArn: string): Record<string, unknown> | undefined;
}

export const newDeploymentId = (): string =>
  `ecs-svc/${Array.from({ length: 19 }, (_, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join("")}`;

/** The load-balancer view of a task: every target of the task in every group of its service. */
type LbState = "none" | "initial" | "healthy" | "unhealthy" | "gone";

/**
 * The service scheduler: keeps each service's deployments moving the way ECS does — a rolling
 * update within minimum healthy / maximum percent, targets registered and drained, tasks that fail
 * their load balancer health checks replaced, and the deployment circuit breaker with rollback.
 */
export class ServiceScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** Tasks whose failure was already counted against their deployment. */
  private readonly counted = new Set<string>();
  /** Tasks being drained before they stop. */
  private readonly draining = new Map<string, string>();
  private ticking = false;
  private stopped = false;
  private readonly shift: TrafficShift;

  constructor(private readonly deps: SchedulerDeps) {
    this.shift = new TrafficShift({
      timeScale: deps.timeScale,
      elb: deps.elb,
      monitoring: deps.monitoring,
      tasksOf: (service) => this.tasksOf(service),
      isHealthy: (service, task) => this.isHealthy(service, task),
      startTasks: (service, deployment, count) => this.startTasks(service, deployment, count),
      stopTask: (service, task, reason) => this.stopServiceTask(service, task, reason),
      event: (service, message) => this.event(service, message),
    });
  }

  start(): void {
    this.timer = setInterval(
      () => this.tick(),
      Math.max(50, Math.min(500, 1000 * this.deps.timeScale)),
    );
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  tick(): void {
    // Tasks report changes while localcloud stops: start nothing new then.
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      let changed = false;
      for (const service of this.deps.state.data.services) {
        if (service.status === "INACTIVE") continue;
        changed = this.reconcile(service) || changed;
      }
      if (changed) this.deps.state.save();
    } finally {
      this.ticking = false;
    }
  }

  private tasksOf(service: ServiceRecord): TaskRecord[] {
    return this.deps.state.data.tasks.filter(
      (t) => t.serviceName === service.serviceName && t.clusterArn === service.clusterArn,
    );
  }

  private event(service: ServiceRecord, message: string): void {
    service.events.unshift({ id: randomBytes(16).toString("hex"), createdAt: Date.now(), message });
    if (service.events.length > 100) service.events.length = 100;
  }

  private lbState(
    service: ServiceRecord,
    task: TaskRecord,
  ): { state: LbState; reason?: string; group?: string } {
    const elb = this.deps.elb();
    if (service.loadBalancers.length === 0 || !elb) return { state: "none" };
    if (task.targets.length === 0) return { state: "initial" };
    let overall: LbState = "healthy";
    for (const target of task.targets) {
      const found = elb
        .targetHealth(target.targetGroupArn)
        .find((d) => d.target.Id === task.ip && d.target.Port === target.port);
      const state = found?.health.State;
      if (!found || state === "draining") return { state: "gone", group: target.targetGroupArn };
      if (state === "unhealthy") {
        return {
          state: "unhealthy",
          reason: found.health.Description ?? found.health.Reason ?? "",
          group: target.targetGroupArn,
        };
      }
      if (state !== "healthy") overall = "initial";
    }
    return { state: overall };
  }

  private isHealthy(service: ServiceRecord, task: TaskRecord): boolean {
    if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") return false;
    if (task.healthStatus === "UNHEALTHY") return false;
    const definition = this.deps.definitionOf(task.taskDefinitionArn);
    const hasContainerChecks = (
      (definition?.containerDefinitions as Array<{ healthCheck?: unknown }>) ?? []
    ).some((c) => c.healthCheck);
    if (hasContainerChecks && task.healthStatus !== "HEALTHY") return false;
    const lb = this.lbState(service, task).state;
    return lb === "none" || lb === "healthy";
  }

  private startTasks(service: ServiceRecord, deployment: DeploymentRecord, count: number): void {
    const started = Array.from({ length: count }, () =>
      this.deps.startServiceTask(service, deployment),
    );
    this.event(
      service,
      `(service ${service.serviceName}) has started ${count} tasks: ${started.map((t) => `(task ${t.taskId})`).join(" ")}.`,
    );
  }

  private snapshot(service: ServiceRecord): string {
    return (
      JSON.stringify(service.deployments) +
      JSON.stringify(service.serviceDeployments ?? []) +
      service.events.length
    );
  }

  /** One pass over a service. Returns whether anything changed. */
  private reconcile(service: ServiceRecord): boolean {
    const before = this.snapshot(service);
    const tasks = this.tasksOf(service);
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    if (!primary) return false;

    this.registerRunningTasks(service, tasks);
    this.replaceUnhealthyTasks(service, tasks);
    this.countFailures(service, tasks);
    const sd = currentServiceDeployment(service);
    // A service being deleted stops whatever deployment it had; every task goes.
    if (sd && service.status === "DRAINING") finish(sd, "STOPPED", "The service is being deleted.");
    if (
      sd &&
      service.status !== "DRAINING" &&
      isTrafficShift(sd) &&
      (sd.status === "IN_PROGRESS" || sd.status === "ROLLBACK_REQUESTED")
    ) {
      this.shift.advance(service, sd);
      this.finishDraining(service, tasks);
      this.updateCounts(service);
      this.followServiceDeployments(service);
      return before !== this.snapshot(service);
    }
    if (sd?.status === "ROLLBACK_REQUESTED") this.rollBackOnRequest(service, sd);
    this.circuitBreaker(service, primary);
    this.deploymentAlarms(service, primary);
    this.finishDraining(service, tasks);

    const current = service.deployments.find((d) => d.status === "PRIMARY") ?? primary;
    const active = this.tasksOf(service).filter((t) => t.desiredStatus === "RUNNING");
    const desired = service.status === "DRAINING" ? 0 : service.desiredCount;
    current.desiredCount = desired;
    const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
    const maxTotal = Math.max(1, Math.floor((desired * maximumPercent) / 100));
    const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
    const primaryActive = active.filter((t) => t.deploymentId === current.id);
    const others = active.filter((t) => t.deploymentId !== current.id);

    // Launch new tasks of the primary deployment, within maximum percent.
    if (current.rolloutState !== "FAILED" || service.deployments.length === 1) {
      const launch = Math.min(desired - primaryActive.length, maxTotal - active.length);
      if (launch > 0) this.startTasks(service, current, launch);
    }

    // Stop older deployments' tasks while enough healthy tasks remain (unhealthy ones first).
    let healthy = active.filter((t) => this.isHealthy(service, t)).length;
    const byHealth = [...others].sort(
      (a, b) => Number(this.isHealthy(service, a)) - Number(this.isHealthy(service, b)),
    );
    for (const task of byHealth) {
      const taskHealthy = this.isHealthy(service, task);
      if (taskHealthy && healthy - 1 < minHealthy) break;
      if (taskHealthy) healthy -= 1;
      this.stopServiceTask(
        service,
        task,
        `Scaling activity initiated by (deployment ${current.id})`,
      );
    }
    // Scale in the primary beyond its desired count.
    const extra = primaryActive.length - desired;
    if (extra > 0) {
      const victims = [...primaryActive]
        .sort((a, b) => Number(this.isHealthy(service, a)) - Number(this.isHealthy(service, b)))
        .slice(0, extra);
      for (const task of victims)
        this.stopServiceTask(
          service,
          task,
          `Scaling activity initiated by (deployment ${current.id})`,
        );
    }

    this.updateCounts(service);
    this.completeRollout(service);
    this.followServiceDeployments(service);
    return before !== this.snapshot(service);
  }

  private followServiceDeployments(service: ServiceRecord): void {
    for (const sd of service.serviceDeployments ?? []) followServiceDeployment(service, sd);
  }

  /** StopServiceDeployment ROLLBACK on a rolling deployment: back to the last completed one. */
  private rollBackOnRequest(service: ServiceRecord, sd: ServiceDeploymentRecord): void {
    const own = service.deployments.find((d) => d.id === sd.deploymentId);
    if (
      own?.status !== "PRIMARY" ||
      own.rolloutState !== "IN_PROGRESS" ||
      !service.lastCompletedTaskDefinition
    ) {
      finish(sd, "ROLLBACK_FAILED", "There is no completed service revision to roll back to.");
      return;
    }
    const reason = "Service deployment rolled back because of a stop request.";
    this.failDeployment(service, own, {
      reason,
      event: "rollback requested",
      rollback: true,
      rollbackReason: `${reason} Rolling back to the last completed deployment.`,
    });
    const rollback = service.deployments.find((d) => d.rollbackOf === own.id);
    sd.status = "ROLLBACK_IN_PROGRESS";
    sd.updatedAt = Date.now();
    sd.rollback = {
      reason,
      startedAt: Date.now(),
      serviceRevisionArn: rollback?.revisionArn ?? "",
    };
  }

  private registerRunningTasks(service: ServiceRecord, tasks: TaskRecord[]): void {
    const elb = this.deps.elb();
    if (!elb) return;
    for (const task of tasks) {
      if (
        task.lastStatus !== "RUNNING" ||
        task.desiredStatus !== "RUNNING" ||
        task.targets.length > 0 ||
        !task.ip
      )
        continue;
      // Each deployment has its target groups: a blue/green style one the idle ones.
      const groups = service.deployments.find((d) => d.id === task.deploymentId)?.targetGroups;
      service.loadBalancers.forEach((lb, i) => {
        const group = groups?.[i] ?? lb.targetGroupArn;
        const ip = task.ip as string;
        elb.registerTargets(group, [{ Id: ip, Port: lb.containerPort }]);
        task.targets.push({ targetGroupArn: group, port: lb.containerPort });
        this.event(
          service,
          `(service ${service.serviceName}) registered 1 targets in (target-group ${group})`,
        );
      });
    }
  }

  private replaceUnhealthyTasks(service: ServiceRecord, tasks: TaskRecord[]): void {
    const graceMs = service.healthCheckGracePeriodSeconds * 1000 * this.deps.timeScale;
    for (const task of tasks) {
      if (task.desiredStatus !== "RUNNING" || task.lastStatus !== "RUNNING") continue;
      if (task.healthStatus === "UNHEALTHY") {
        this.fail(service, task, `Task failed container health checks`);
        continue;
      }
      const lb = this.lbState(service, task);
      if (lb.state !== "unhealthy") continue;
      if (Date.now() - (task.startedAt ?? 0) < graceMs) continue;
      this.event(
        service,
        `(service ${service.serviceName}) (task ${task.taskId}) (port ${task.targets.find((t) => t.targetGroupArn === lb.group)?.port}) is unhealthy in (target-group ${lb.group}) due to (reason ${lb.reason}).`,
      );
      this.fail(service, task, `Task failed ELB health checks in (target-group ${lb.group})`);
    }
  }

  private fail(service: ServiceRecord, task: TaskRecord, reason: string): void {
    this.countFailure(service, task);
    this.stopServiceTask(service, task, reason);
  }

  private countFailures(service: ServiceRecord, tasks: TaskRecord[]): void {
    for (const task of tasks) {
      const failedOnItsOwn =
        task.lastStatus === "STOPPED" &&
        (task.stopCode === "EssentialContainerExited" || task.stopCode === "TaskFailedToStart");
      if (failedOnItsOwn) this.countFailure(service, task);
    }
  }

  private countFailure(service: ServiceRecord, task: TaskRecord): void {
    if (this.counted.has(task.taskArn)) return;
    this.counted.add(task.taskArn);
    const deployment = service.deployments.find((d) => d.id === task.deploymentId);
    if (deployment && deployment.rolloutState === "IN_PROGRESS") deployment.failedTasks += 1;
  }

  private circuitBreaker(service: ServiceRecord, primary: DeploymentRecord): void {
    const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (!breaker.enable || primary.rolloutState !== "IN_PROGRESS") return;
    if (primary.failedTasks < circuitBreakerThreshold(service.desiredCount)) return;
    this.failDeployment(service, primary, {
      reason: "ECS deployment circuit breaker: tasks failed to start.",
      event: "tasks failed to start",
      rollback: breaker.rollback,
      rollbackReason:
        "ECS deployment detected failure. Rolling back to the last completed deployment.",
    });
  }

  /**
   * Deployment alarms: while a deployment the user started is IN_PROGRESS (its rollout and the
   * bake time after steady state), any of its alarms in ALARM fails it and, with rollback, sends
   * the service back to the last completed deployment. ECS's own way back is not monitored: it
   * has nowhere further back to go.
   */
  private deploymentAlarms(service: ServiceRecord, primary: DeploymentRecord): void {
    const alarms = service.deploymentConfiguration.alarms;
    if (!alarms?.enable || primary.rolloutState !== "IN_PROGRESS" || primary.ecsRollback) return;
    const monitoring = this.deps.monitoring();
    if (!monitoring) return;
    const triggered = alarms.alarmNames.filter((name) => monitoring.alarmState(name) === "ALARM");
    if (triggered.length === 0) return;
    const sd = service.serviceDeployments?.find(
      (d) => d.serviceDeploymentArn === primary.serviceDeploymentArn,
    );
    if (sd) sd.triggeredAlarmNames = triggered;
    const names = triggered.join(", ");
    this.failDeployment(service, primary, {
      reason: `ECS deployment ${primary.id} failed: alarm(s) detected: ${names}.`,
      event: `alarm(s) detected: ${names}`,
      rollback: alarms.rollback,
      rollbackReason: `ECS deployment detected triggered alarm(s) (${names}). Rolling back to the last completed deployment.`,
    });
  }

  private failDeployment(
    service: ServiceRecord,
    primary: DeploymentRecord,
    why: { reason: string; event: string; rollback: boolean; rollbackReason: string },
  ): void {
    primary.rolloutState = "FAILED";
    primary.rolloutStateReason = why.reason;
    primary.updatedAt = Date.now();
    delete primary.steadyAt;
    this.event(
      service,
      `(service ${service.serviceName}) (deployment ${primary.id}) deployment failed: ${why.event}.`,
    );
    const target = service.lastCompletedTaskDefinition;
    if (!why.rollback || !target) return;
    const rollback: DeploymentRecord = {
      id: newDeploymentId(),
      status: "PRIMARY",
      taskDefinition: target,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      launchType: primary.launchType,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: why.rollbackReason,
      ecsRollback: true,
      rollbackOf: primary.id,
      ...(service.lastCompletedRevisionArn
        ? { revisionArn: service.lastCompletedRevisionArn }
        : {}),
      ...(primary.targetGroups ? { targetGroups: primary.targetGroups } : {}),
      ...(primary.networkConfiguration
        ? { networkConfiguration: primary.networkConfiguration }
        : {}),
    };
    primary.status = "ACTIVE";
    service.deployments.unshift(rollback);
    service.taskDefinition = target;
    this.event(
      service,
      `(service ${service.serviceName}) rolling back to deployment ${rollback.id}.`,
    );
  }

  /** Starts draining a task's targets; the task stops once the load balancer lets go of them. */
  private stopServiceTask(service: ServiceRecord, task: TaskRecord, reason: string): void {
    if (task.desiredStatus === "STOPPED") return;
    task.desiredStatus = "STOPPED";
    task.stopCode = "ServiceSchedulerInitiated";
    task.stoppedReason = reason;
    const elb = this.deps.elb();
    if (elb && task.targets.length > 0 && task.ip) {
      task.lastStatus = "DEACTIVATING";
      this.event(
        service,
        `(service ${service.serviceName}) has begun draining connections on 1 tasks.`,
      );
      for (const target of task.targets) {
        elb.deregisterTargets(target.targetGroupArn, [{ Id: task.ip, Port: target.port }]);
        this.event(
          service,
          `(service ${service.serviceName}) deregistered 1 targets in (target-group ${target.targetGroupArn})`,
        );
      }
      this.draining.set(task.taskArn, reason);
      return;
    }
    void this.stopNow(service, task, reason);
  }

  private finishDraining(service: ServiceRecord, tasks: TaskRecord[]): void {
    const elb = this.deps.elb();
    for (const task of tasks) {
      const reason = this.draining.get(task.taskArn);
      if (reason === undefined) continue;
      const stillThere = task.targets.some((target) =>
        elb
          ?.targetHealth(target.targetGroupArn)
          .some((d) => d.target.Id === task.ip && d.target.Port === target.port),
      );
      if (stillThere) continue;
      this.draining.delete(task.taskArn);
      void this.stopNow(service, task, reason);
    }
  }

  private async stopNow(service: ServiceRecord, task: TaskRecord, reason: string): Promise<void> {
    await this.deps.launcher.stop(
      task,
      "ServiceSchedulerInitiated",
      reason,
      this.deps.definitionOf(task.taskDefinitionArn),
    );
    this.event(
      service,
      `(service ${service.serviceName}) has stopped 1 running tasks: (task ${task.taskId}).`,
    );
    this.deps.state.save();
  }

  private updateCounts(service: ServiceRecord): void {
    const tasks = this.tasksOf(service).filter((t) => t.desiredStatus === "RUNNING");
    for (const deployment of service.deployments) {
      const mine = tasks.filter((t) => t.deploymentId === deployment.id);
      deployment.runningCount = mine.filter((t) => t.lastStatus === "RUNNING").length;
      deployment.pendingCount = mine.length - deployment.runningCount;
    }
    // A deployment that is not primary and has no task left (stopping ones included) is done.
    const all = this.tasksOf(service);
    service.deployments = service.deployments.filter(
      (d) =>
        d.status === "PRIMARY" ||
        all.some((t) => t.deploymentId === d.id && t.lastStatus !== "STOPPED"),
    );
  }

  private completeRollout(service: ServiceRecord): void {
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    if (primary?.rolloutState !== "IN_PROGRESS" || service.deployments.length > 1) return;
    const tasks = this.tasksOf(service);
    const healthy = tasks.filter(
      (t) => t.deploymentId === primary.id && this.isHealthy(service, t),
    ).length;
    const leftovers = tasks.some(
      (t) => t.lastStatus !== "STOPPED" && t.desiredStatus === "STOPPED",
    );
    if (healthy < primary.desiredCount || leftovers) return;
    const bakeMs = this.bakeMs(service, primary);
    if (bakeMs > 0) {
      if (primary.steadyAt === undefined) {
        primary.steadyAt = Date.now();
        this.event(service, `(service ${service.serviceName}) has reached a steady state.`);
      }
      if (Date.now() - primary.steadyAt < bakeMs) return;
    }
    primary.rolloutState = "COMPLETED";
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = Date.now();
    service.lastCompletedTaskDefinition = primary.taskDefinition;
    if (primary.revisionArn) service.lastCompletedRevisionArn = primary.revisionArn;
    this.event(
      service,
      `(service ${service.serviceName}) (deployment ${primary.id}) deployment completed.`,
    );
    if (bakeMs === 0) {
      this.event(service, `(service ${service.serviceName}) has reached a steady state.`);
    }
  }

  /**
   * The bake time of a deployment with alarms: after steady state ECS keeps the deployment
   * IN_PROGRESS and its alarms monitored for a time it "computes based on the alarm
   * configuration" (AWS publishes no formula). localcloud bakes three evaluation windows of the
   * longest alarm (Period × EvaluationPeriods × 3): enough for an alarm to see a whole window of
   * data that arrived after steady state, whatever the phase of its periods. ECS's own rollbacks
   * are not monitored, so they do not bake.
   */
  private bakeMs(service: ServiceRecord, primary: DeploymentRecord): number {
    const alarms = service.deploymentConfiguration.alarms;
    const monitoring = this.deps.monitoring();
    if (!alarms?.enable || primary.ecsRollback || !monitoring) return 0;
    const windows = alarms.alarmNames.map((name) => monitoring.alarmWindowSeconds(name) ?? 0);
    return Math.max(0, ...windows) * 3 * 1000 * this.deps.timeScale;
  }
}
