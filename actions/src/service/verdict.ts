import type { GateSettings } from "./inputs";
import { matchTasksToTargets, type TaskTargets } from "./match";
import type { Snapshot, TaskView } from "./snapshot";

export type FailureCause =
  /** A target of a new task is unhealthy after the grace period. */
  | "target-unhealthy"
  /** A new task stopped by itself: failed to start, essential container exited, health checks. */
  | "task-failed"
  /** ECS marked the deployment FAILED (circuit breaker). */
  | "rollout-failed"
  /** ECS replaced the deployment with a rollback to an earlier one. */
  | "rolled-back-by-ecs"
  /** The deployment is no longer in the service. */
  | "deployment-gone"
  /** Someone else started another deployment meanwhile. */
  | "superseded"
  /** The hard timeout ran out. */
  | "timed-out"
  /** The analysis found the new target group worse than the old one (non-rolling strategies). */
  | "analysis-failed"
  /** ECS rolled the deployment back because a CloudWatch alarm went to ALARM. */
  | "alarm";

export interface Failure {
  cause: FailureCause;
  message: string;
  /** The task that showed it, when one did. */
  taskId?: string;
}

export type Verdict =
  | { state: "waiting"; healthyStreak: number; detail: string }
  | { state: "passed"; healthyStreak: number; detail: string }
  | { state: "failed"; failure: Failure };

export interface GateContext {
  deploymentId: string;
  /** When the gate began (the clock's time). */
  startedAt: number;
  settings: GateSettings;
  /** The definition a rollback would return to: a new PRIMARY on it means ECS rolled back. */
  rollbackTarget?: string;
  /**
   * Containers of the new revision with a container health check: a task serves only once each
   * reports HEALTHY (ECS reports UNKNOWN both without a check and before the first result).
   */
  healthChecked?: string[];
}

/** Stop codes that mean the task failed by itself (the others are ECS or a user stopping it). */
const FAILURE_STOP_CODES = new Set(["TaskFailedToStart", "EssentialContainerExited"]);
const HEALTH_CHECK_STOP = /^Task failed (ELB|container) health checks/;

/** Why a task of the new deployment counts as failed, or undefined when it does not. */
export function taskFailure(task: TaskView): string | undefined {
  const stopping = task.desiredStatus === "STOPPED" || task.lastStatus === "STOPPED";
  if (!stopping) return undefined;
  const reason = task.stoppedReason ?? "";
  if (HEALTH_CHECK_STOP.test(reason)) return reason;
  if (task.stopCode && FAILURE_STOP_CODES.has(task.stopCode)) {
    const exited = task.containers
      .filter((container) => container.exitCode !== undefined && container.exitCode !== 0)
      .map((container) => `${container.name} exited with code ${container.exitCode}`);
    const pulled = task.containers.flatMap((container) => container.reason ?? []);
    return [`${task.stopCode}: ${reason || "stopped"}`, ...exited, ...pulled].join("; ");
  }
  return undefined;
}

function isServing(entry: TaskTargets, healthChecked: string[]): boolean {
  return (
    entry.task.lastStatus === "RUNNING" &&
    entry.task.desiredStatus === "RUNNING" &&
    entry.bindings.every((binding) => binding.state === "healthy") &&
    entry.task.containers.every(
      (container) =>
        !healthChecked.includes(container.name) || container.healthStatus === "HEALTHY",
    )
  );
}

/**
 * The gate's verdict on one poll. Pure: the same snapshot and streak give the same answer.
 * Clear signals fail at once; passing needs every desired task RUNNING with all its targets
 * healthy for `healthyPolls` polls in a row; the hard timeout is checked last and always applies.
 */
export function judge(snapshot: Snapshot, context: GateContext, healthyStreak: number): Verdict {
  const fail = (cause: FailureCause, message: string, taskId?: string): Verdict => ({
    state: "failed",
    failure: { cause, message, ...(taskId ? { taskId } : {}) },
  });
  const ours = snapshot.deployments.find((deployment) => deployment.id === context.deploymentId);
  const primary = snapshot.deployments.find((deployment) => deployment.status === "PRIMARY");
  const isEcsRollback =
    primary !== undefined &&
    primary.id !== context.deploymentId &&
    ((context.rollbackTarget !== undefined && primary.taskDefinition === context.rollbackTarget) ||
      /roll(ing|ed)? ?back/i.test(primary.rolloutStateReason ?? ""));
  if (ours?.status !== "PRIMARY") {
    if (isEcsRollback && primary) {
      return fail(
        "rolled-back-by-ecs",
        `ECS rolled deployment ${context.deploymentId} back: deployment ${primary.id} returns to ${primary.taskDefinition}${ours?.rolloutStateReason ? ` (${ours.rolloutStateReason})` : ""}`,
      );
    }
    if (!ours) {
      return fail(
        "deployment-gone",
        `deployment ${context.deploymentId} is no longer in the service${primary ? ` (PRIMARY is now ${primary.id} on ${primary.taskDefinition})` : ""}`,
      );
    }
    return fail(
      "superseded",
      `another deployment started meanwhile: ${primary?.id ?? "(unknown)"} on ${primary?.taskDefinition ?? "(unknown)"} replaced ${context.deploymentId}`,
    );
  }
  if (ours.rolloutState === "FAILED") {
    return fail(
      "rollout-failed",
      `ECS marked deployment ${ours.id} FAILED: ${ours.rolloutStateReason ?? "no reason given"}`,
    );
  }

  const entries = matchTasksToTargets(snapshot.tasks, snapshot.targetGroups);
  for (const { task } of entries) {
    const failure = taskFailure(task);
    if (failure) return fail("task-failed", `task ${task.id} stopped: ${failure}`, task.id);
  }
  for (const { task, bindings } of entries) {
    if (task.desiredStatus !== "RUNNING") continue;
    const age = snapshot.at - (task.startedAt ?? context.startedAt);
    if (age < context.settings.graceMs) continue;
    const unhealthy = bindings.find((binding) => binding.state === "unhealthy");
    if (unhealthy) {
      return fail(
        "target-unhealthy",
        `target ${task.ip}:${unhealthy.port} of task ${task.id} is unhealthy in target group ${unhealthy.targetGroupName}: ${unhealthy.reason ?? ""}${unhealthy.description ? ` (${unhealthy.description})` : ""}`,
        task.id,
      );
    }
  }

  const serving = entries.filter((entry) => isServing(entry, context.healthChecked ?? [])).length;
  const running = entries.filter((entry) => entry.task.lastStatus === "RUNNING").length;
  const detail = `${serving}/${ours.desiredCount} tasks serving (${running} running)`;
  const streak = serving >= ours.desiredCount ? healthyStreak + 1 : 0;
  if (streak >= context.settings.healthyPolls) {
    return { state: "passed", healthyStreak: streak, detail };
  }
  if (snapshot.at - context.startedAt >= context.settings.timeoutMs) {
    return fail(
      "timed-out",
      `not healthy after ${Math.round(context.settings.timeoutMs / 1000)} s: ${detail}`,
    );
  }
  return { state: "waiting", healthyStreak: streak, detail };
}
