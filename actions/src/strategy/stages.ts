import type { ServiceDeployment } from "@aws-sdk/client-ecs";

/** What one DescribeServiceDeployments answer says, reduced to what a person follows. */
export interface StageView {
  status: string;
  stage: string;
  /** Production traffic on the new revision (percent), when ECS states it. */
  newTraffic?: number;
  newRunning?: number;
  newRequested?: number;
  oldRunning?: number;
  statusReason?: string;
  triggeredAlarms: string[];
  rollbackReason?: string;
}

export function stageView(deployment: ServiceDeployment): StageView {
  const target = deployment.targetServiceRevision;
  const sources = deployment.sourceServiceRevisions ?? [];
  const triggered = deployment.alarms?.triggeredAlarmNames ?? [];
  return {
    status: deployment.status ?? "UNKNOWN",
    stage: deployment.lifecycleStage ?? "-",
    ...(target?.requestedProductionTrafficWeight !== undefined
      ? { newTraffic: target.requestedProductionTrafficWeight }
      : {}),
    ...(target?.runningTaskCount !== undefined ? { newRunning: target.runningTaskCount } : {}),
    ...(target?.requestedTaskCount !== undefined
      ? { newRequested: target.requestedTaskCount }
      : {}),
    ...(sources.length > 0
      ? { oldRunning: sources.reduce((sum, s) => sum + (s.runningTaskCount ?? 0), 0) }
      : {}),
    ...(deployment.statusReason ? { statusReason: deployment.statusReason } : {}),
    triggeredAlarms: triggered,
    ...(deployment.rollback?.reason ? { rollbackReason: deployment.rollback.reason } : {}),
  };
}

const trafficText = (percent: number) =>
  `traffic new ${Number(percent.toFixed(1))}% / old ${Number((100 - percent).toFixed(1))}%`;

/**
 * One line for a stage: `deployment IN_PROGRESS, PRODUCTION_TRAFFIC_SHIFT: traffic new 10% /
 * old 90%; new tasks 2/2 running, old 2 running`. The same view twice gives the same line.
 */
export function stageLine(view: StageView): string {
  const parts = [
    `deployment ${view.status}, ${view.stage}`,
    ...(view.newTraffic !== undefined ? [`: ${trafficText(view.newTraffic)}`] : []),
  ];
  const tasks = [
    ...(view.newRunning !== undefined
      ? [`new tasks ${view.newRunning}/${view.newRequested ?? "?"} running`]
      : []),
    ...(view.oldRunning !== undefined ? [`old ${view.oldRunning} running`] : []),
  ];
  const extra = [
    ...(view.triggeredAlarms.length > 0
      ? [`alarms in ALARM: ${view.triggeredAlarms.join(", ")}`]
      : []),
    ...(view.rollbackReason ? [`rollback: ${view.rollbackReason}`] : []),
    ...(view.statusReason ? [view.statusReason] : []),
  ];
  return `${parts.join("")}${tasks.length > 0 ? `; ${tasks.join(", ")}` : ""}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}`;
}

/** Statuses after which the deployment moves no further by itself. */
export const FINAL_STATUSES = new Set([
  "SUCCESSFUL",
  "STOPPED",
  "ROLLBACK_SUCCESSFUL",
  "ROLLBACK_FAILED",
]);

/** Statuses of a deployment that is being, or was, rolled back or stopped. */
export const ROLLING_BACK = new Set([
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
  "ROLLBACK_SUCCESSFUL",
  "ROLLBACK_FAILED",
  "STOP_REQUESTED",
  "STOPPED",
]);

/**
 * Stages in which the new revision may take production traffic: the analysis runs then. (ECS
 * states the weight too; a stage is the fallback when it does not.)
 */
const TRAFFIC_STAGES = new Set([
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
  "BAKE_TIME",
]);

export function takesProductionTraffic(view: StageView): boolean {
  if (view.status !== "IN_PROGRESS") return false;
  if (view.newTraffic !== undefined) return view.newTraffic > 0;
  return TRAFFIC_STAGES.has(view.stage);
}
