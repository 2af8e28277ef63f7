import type { TargetGroupView, TargetView, TaskView } from "./snapshot";

/** A task's target in one target group, as the load balancer sees it now. */
export interface TargetBinding {
  targetGroupArn: string;
  targetGroupName: string;
  port: number;
  /** The ELB state (initial, healthy, unhealthy, draining, unused, unavailable), or "unregistered". */
  state: string;
  reason?: string;
  description?: string;
}

export interface TaskTargets {
  task: TaskView;
  bindings: TargetBinding[];
}

/**
 * Pairs each task with its targets: a target belongs to a task when its IP is the task's ENI
 * address AND its port is the container port the service registers. IP alone is not enough: an
 * IP is reused by a later task, and one task can sit in several groups on several ports.
 */
export function matchTasksToTargets(tasks: TaskView[], groups: TargetGroupView[]): TaskTargets[] {
  return tasks.map((task) => ({
    task,
    bindings: groups.map((group) => {
      const find = (targets: TargetView[]) =>
        task.ip
          ? targets.find(
              (candidate) => candidate.id === task.ip && candidate.port === group.containerPort,
            )
          : undefined;
      const inAlternate = group.alternate ? find(group.alternate.targets) : undefined;
      const target = find(group.targets) ?? inAlternate;
      const where = inAlternate && target === inAlternate ? group.alternate : group;
      return {
        targetGroupArn: where?.arn ?? group.arn,
        targetGroupName: where?.name ?? group.name,
        port: group.containerPort,
        state: target?.state ?? "unregistered",
        ...(target?.reason ? { reason: target.reason } : {}),
        ...(target?.description ? { description: target.description } : {}),
      };
    }),
  }));
}

/** Targets in the service's groups that belong to none of the given tasks (other deployments'). */
export function unmatchedTargets(
  tasks: TaskView[],
  groups: TargetGroupView[],
): { group: string; id: string; port?: number; state: string }[] {
  return groups.flatMap((group) =>
    group.targets
      .filter(
        (target) =>
          !tasks.some((task) => task.ip === target.id && target.port === group.containerPort),
      )
      .map((target) => ({
        group: group.name,
        id: target.id,
        ...(target.port !== undefined ? { port: target.port } : {}),
        state: target.state,
      })),
  );
}
