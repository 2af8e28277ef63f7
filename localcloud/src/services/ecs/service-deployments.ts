import { randomBytes, randomInt } from "node:crypto";
import {
  circuitBreakerThreshold,
  type DeploymentRecord,
  type ServiceDeploymentRecord,
  type ServiceDeploymentStatus,
  type ServiceRecord,
  type ServiceRevisionRecord,
  secondsOf,
} from "./model";
import { shiftsTraffic } from "./strategy-config";

/**
 * Service deployments and service revisions, the history ECS keeps of each change of a service
 * (ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions), kept on the
 * service record next to the ECS deployments they follow.
 */

/** Statuses a service deployment leaves no more. */
export const FINAL_STATUSES: ServiceDeploymentStatus[] = [
  "SUCCESSFUL",
  "STOPPED",
  "ROLLBACK_SUCCESSFUL",
  "ROLLBACK_FAILED",
];

export const isFinal = (sd: ServiceDeploymentRecord): boolean => FINAL_STATUSES.includes(sd.status);

const deploymentsOf = (service: ServiceRecord): ServiceDeploymentRecord[] => {
  service.serviceDeployments ??= [];
  return service.serviceDeployments;
};

/** The service's names in ARNs: `<cluster>/<service>`. */
const pathOf = (service: ServiceRecord): string =>
  `${service.clusterArn.split("/").pop()}/${service.serviceName}`;

const arnPrefix = (service: ServiceRecord): string =>
  service.serviceArn.split(":service/")[0] ?? "";

/** A new service revision for what a deployment runs. */
export const newRevision = (
  service: ServiceRecord,
  deployment: DeploymentRecord,
): ServiceRevisionRecord => {
  const digits = Array.from({ length: 19 }, (_, i) =>
    i === 0 ? randomInt(1, 10) : randomInt(0, 10),
  );
  const revision: ServiceRevisionRecord = {
    serviceRevisionArn: `${arnPrefix(service)}:service-revision/${pathOf(service)}/${digits.join("")}`,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    taskDefinition: deployment.taskDefinition,
    launchType: deployment.launchType,
    loadBalancers: service.loadBalancers.map((lb) => ({ ...lb })),
    ...(deployment.networkConfiguration
      ? { networkConfiguration: deployment.networkConfiguration }
      : {}),
    createdAt: deployment.createdAt,
  };
  service.serviceRevisions ??= [];
  service.serviceRevisions.push(revision);
  return revision;
};

/**
 * Records the service deployment that a new ECS deployment starts: its revision, the revisions it
 * replaces, the configuration it runs with. An older one still in progress is superseded.
 */
export const startServiceDeployment = (
  service: ServiceRecord,
  deployment: DeploymentRecord,
  sources: DeploymentRecord[],
): ServiceDeploymentRecord => {
  const revision = newRevision(service, deployment);
  deployment.revisionArn = revision.serviceRevisionArn;
  const id = randomBytes(16).toString("base64url").slice(0, 22);
  const now = Date.now();
  for (const older of deploymentsOf(service)) {
    if (isFinal(older)) continue;
    older.status = "STOPPED";
    older.statusReason = "Superseded by a newer service deployment.";
    older.stoppedAt = now;
    older.updatedAt = now;
  }
  const sd: ServiceDeploymentRecord = {
    serviceDeploymentArn: `${arnPrefix(service)}:service-deployment/${pathOf(service)}/${id}`,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    createdAt: now,
    startedAt: now,
    updatedAt: now,
    deploymentId: deployment.id,
    sourceDeploymentIds: sources.map((d) => d.id),
    sourceRevisionArns: sources.flatMap((d) => (d.revisionArn ? [d.revisionArn] : [])),
    targetRevisionArn: revision.serviceRevisionArn,
    status: "IN_PROGRESS",
    lifecycleStage: shiftsTraffic(service.deploymentConfiguration) ? "PRE_SCALE_UP" : "SCALE_UP",
    deploymentConfiguration: structuredClone(service.deploymentConfiguration),
  };
  deployment.serviceDeploymentArn = sd.serviceDeploymentArn;
  deploymentsOf(service).unshift(sd);
  if (service.serviceDeployments && service.serviceDeployments.length > 100) {
    service.serviceDeployments.length = 100;
  }
  return sd;
};

/** The service deployment still under way, if any. */
export const currentServiceDeployment = (
  service: ServiceRecord,
): ServiceDeploymentRecord | undefined => deploymentsOf(service).find((sd) => !isFinal(sd));

/** Whether a service deployment moves traffic between target groups (it has a revision to leave). */
export const isTrafficShift = (sd: ServiceDeploymentRecord): boolean =>
  shiftsTraffic(sd.deploymentConfiguration) && sd.sourceDeploymentIds.length > 0;

export const finish = (
  sd: ServiceDeploymentRecord,
  status: ServiceDeploymentStatus,
  reason?: string,
): void => {
  const now = Date.now();
  sd.status = status;
  if (reason) sd.statusReason = reason;
  sd.updatedAt = now;
  if (status === "STOPPED") sd.stoppedAt = now;
  else sd.finishedAt = now;
};

/**
 * Follows a service deployment from its ECS deployment: a rolling one is SUCCESSFUL when the
 * rollout completes; when it fails, ROLLBACK_IN_PROGRESS while ECS rolls back (then
 * ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED) or STOPPED when nothing rolls back. A traffic shift is
 * moved by its own engine; here it only ends its rollback once the green tasks are gone.
 */
export const followServiceDeployment = (
  service: ServiceRecord,
  sd: ServiceDeploymentRecord,
): void => {
  if (isFinal(sd)) return;
  const own = service.deployments.find((d) => d.id === sd.deploymentId);
  if (own) sd.failedTasks = own.failedTasks;
  if (sd.status === "ROLLBACK_IN_PROGRESS") {
    const rollback = service.deployments.find((d) => d.rollbackOf === sd.deploymentId);
    if (rollback?.rolloutState === "FAILED") {
      finish(sd, "ROLLBACK_FAILED", rollback.rolloutStateReason);
    } else if (rollback ? rollback.rolloutState === "COMPLETED" : !own) {
      finish(sd, "ROLLBACK_SUCCESSFUL", sd.rollback?.reason);
    }
    return;
  }
  if (isTrafficShift(sd) || sd.status !== "IN_PROGRESS") return;
  if (!own) {
    finish(sd, "STOPPED", "The deployment's tasks were replaced.");
    return;
  }
  sd.lifecycleStage = own.steadyAt !== undefined ? "BAKE_TIME" : "SCALE_UP";
  if (own.rolloutState === "COMPLETED") {
    sd.lifecycleStage = "CLEAN_UP";
    finish(sd, "SUCCESSFUL", own.rolloutStateReason);
  } else if (own.rolloutState === "FAILED") {
    const rollback = service.deployments.find((d) => d.rollbackOf === sd.deploymentId);
    if (own.rolloutStateReason.includes("circuit breaker")) sd.circuitBreakerTriggered = true;
    if (rollback) {
      sd.status = "ROLLBACK_IN_PROGRESS";
      sd.updatedAt = Date.now();
      sd.rollback = {
        reason: rollback.rolloutStateReason,
        startedAt: rollback.createdAt,
        serviceRevisionArn: rollback.revisionArn ?? "",
      };
    } else {
      finish(sd, "STOPPED", own.rolloutStateReason);
    }
  }
};

const revisionSummary = (
  service: ServiceRecord,
  revisionArn: string,
  deploymentIds: string[],
  trafficPercent: number | undefined,
) => {
  const deployments = service.deployments.filter(
    (d) => deploymentIds.includes(d.id) && d.revisionArn === revisionArn,
  );
  return {
    arn: revisionArn,
    requestedTaskCount: deployments.reduce((n, d) => n + d.desiredCount, 0),
    runningTaskCount: deployments.reduce((n, d) => n + d.runningCount, 0),
    pendingTaskCount: deployments.reduce((n, d) => n + d.pendingCount, 0),
    ...(trafficPercent !== undefined
      ? {
          requestedProductionTrafficWeight: trafficPercent,
          requestedTestTrafficWeight: trafficPercent,
        }
      : {}),
  };
};

/** ServiceDeploymentBrief (ListServiceDeployments). */
export const describeBrief = (sd: ServiceDeploymentRecord) => ({
  serviceDeploymentArn: sd.serviceDeploymentArn,
  serviceArn: sd.serviceArn,
  clusterArn: sd.clusterArn,
  createdAt: secondsOf(sd.createdAt),
  ...(sd.startedAt ? { startedAt: secondsOf(sd.startedAt) } : {}),
  ...(sd.finishedAt ? { finishedAt: secondsOf(sd.finishedAt) } : {}),
  targetServiceRevisionArn: sd.targetRevisionArn,
  status: sd.status,
  ...(sd.statusReason ? { statusReason: sd.statusReason } : {}),
});

/** ServiceDeployment (DescribeServiceDeployments). */
export const describeServiceDeployment = (service: ServiceRecord, sd: ServiceDeploymentRecord) => {
  const config = sd.deploymentConfiguration;
  const shifting = isTrafficShift(sd);
  const target = sd.targetTrafficPercent ?? (shifting ? 0 : undefined);
  const breaker = config.deploymentCircuitBreaker;
  const own = service.deployments.find((d) => d.id === sd.deploymentId);
  const alarms = config.alarms;
  const monitoring = !isFinal(sd);
  return {
    ...describeBrief(sd),
    ...(sd.stoppedAt ? { stoppedAt: secondsOf(sd.stoppedAt) } : {}),
    updatedAt: secondsOf(sd.updatedAt),
    sourceServiceRevisions: sd.sourceRevisionArns.map((arn) =>
      revisionSummary(
        service,
        arn,
        sd.sourceDeploymentIds,
        target === undefined ? undefined : 100 - target,
      ),
    ),
    targetServiceRevision: revisionSummary(
      service,
      sd.targetRevisionArn,
      [sd.deploymentId],
      target,
    ),
    ...(sd.lifecycleStage ? { lifecycleStage: sd.lifecycleStage } : {}),
    deploymentConfiguration: config,
    ...(sd.rollback
      ? {
          rollback: {
            reason: sd.rollback.reason,
            startedAt: secondsOf(sd.rollback.startedAt),
            serviceRevisionArn: sd.rollback.serviceRevisionArn,
          },
        }
      : {}),
    deploymentCircuitBreaker: {
      status: !breaker.enable
        ? "DISABLED"
        : sd.circuitBreakerTriggered
          ? "TRIGGERED"
          : monitoring
            ? "MONITORING"
            : "MONITORING_COMPLETE",
      failureCount: own?.failedTasks ?? sd.failedTasks ?? 0,
      threshold: circuitBreakerThreshold(own?.desiredCount ?? service.desiredCount),
    },
    ...(alarms
      ? {
          alarms: {
            status: !alarms.enable
              ? "DISABLED"
              : sd.triggeredAlarmNames?.length
                ? "TRIGGERED"
                : monitoring
                  ? "MONITORING"
                  : "MONITORING_COMPLETE",
            alarmNames: alarms.alarmNames,
            ...(sd.triggeredAlarmNames?.length
              ? { triggeredAlarmNames: sd.triggeredAlarmNames }
              : {}),
          },
        }
      : {}),
  };
};

/** ServiceRevision (DescribeServiceRevisions). */
export const describeServiceRevision = (revision: ServiceRevisionRecord) => ({
  serviceRevisionArn: revision.serviceRevisionArn,
  serviceArn: revision.serviceArn,
  clusterArn: revision.clusterArn,
  taskDefinition: revision.taskDefinition,
  launchType: revision.launchType,
  platformVersion: "1.4.0",
  loadBalancers: revision.loadBalancers,
  ...(revision.networkConfiguration ? { networkConfiguration: revision.networkConfiguration } : {}),
  createdAt: secondsOf(revision.createdAt),
});
