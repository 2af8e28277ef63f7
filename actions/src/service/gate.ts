import { throwIfCancelled } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "./clients";
import type { CurrentService } from "./current";
import type { GateSettings } from "./inputs";
import { matchTasksToTargets, type TargetBinding } from "./match";
import { observe, type WatchedGroup } from "./observe";
import { ProgressLines } from "./progress";
import type { Snapshot } from "./snapshot";
import { type Failure, judge } from "./verdict";
import { changeLines, type ProgressView } from "./view";

export interface GateOutcome {
  passed: boolean;
  failure?: Failure;
  deploymentId: string;
  /** The last snapshot: the diagnosis reads tasks and targets from it. */
  last: Snapshot;
  /** Service events seen while the gate ran, oldest first. */
  events: string[];
  polls: number;
  startedAt: number;
  endedAt: number;
  /** First poll that saw a new task's target unhealthy / every desired task serving. */
  firstUnhealthyAt?: number;
  firstAllHealthyAt?: number;
  /** The last unhealthy target seen: ECS may have drained it by the time the gate fails. */
  lastUnhealthy?: UnhealthyTarget;
}

export interface UnhealthyTarget extends TargetBinding {
  taskId: string;
  ip?: string;
}

/** How a deployment is watched: which target groups decide, under which name it is logged. */
export interface WaitStrategy {
  name: string;
  groups: WatchedGroup[];
  /**
   * ECS moves the traffic itself (blue/green, canary, linear): healthy targets are not enough,
   * the deployment passes once ECS reports its rollout COMPLETED (traffic shifted, baked).
   */
  awaitsRollout?: boolean;
}

/**
 * Chooses how to wait for the service. With load balancers: every target group of the service
 * must report the new tasks healthy. Without: the tasks must be RUNNING (and pass their container
 * health checks, which ECS folds into RUNNING tasks staying up). One function decides, so the
 * deploy itself never branches on it.
 */
export function chooseWaitStrategy(current: CurrentService): WaitStrategy {
  const shifted = shiftsTraffic(current);
  const groups: WatchedGroup[] = (current.service.loadBalancers ?? []).flatMap((lb) => {
    if (!lb.targetGroupArn || !lb.containerName || lb.containerPort === undefined) return [];
    const group = current.targetGroups.find((tg) => tg.TargetGroupArn === lb.targetGroupArn);
    // ECS swaps the pair's roles with each traffic shift and keeps the pair when the service goes
    // back to rolling: new tasks register in whichever group serves production, either one.
    const alternateArn = lb.advancedConfiguration?.alternateTargetGroupArn;
    return [
      {
        targetGroupArn: lb.targetGroupArn,
        name: group?.TargetGroupName ?? lb.targetGroupArn,
        containerName: lb.containerName,
        containerPort: lb.containerPort,
        ...(group ? { group } : {}),
        ...(alternateArn
          ? { alternate: { targetGroupArn: alternateArn, name: nameOf(alternateArn) } }
          : {}),
      },
    ];
  });
  if (groups.length === 0) {
    return { name: "tasks RUNNING (the service has no load balancer)", groups };
  }
  const names = groups.map((g) => (g.alternate ? `${g.name} or ${g.alternate.name}` : g.name));
  return shifted
    ? {
        name: `target health in ${names.join(", ")}, then ECS's ${current.service.deploymentConfiguration?.strategy} rollout COMPLETED`,
        groups,
        awaitsRollout: true,
      }
    : { name: `target health in ${names.join(", ")}`, groups };
}

/** ECS's blue/green, canary and linear deployments move the traffic between two groups. */
function shiftsTraffic(current: CurrentService): boolean {
  const strategy = current.service.deploymentConfiguration?.strategy;
  return strategy !== undefined && strategy !== "ROLLING";
}

/** A target group's name from its ARN (…:targetgroup/<name>/<id>). */
const nameOf = (arn: string): string => arn.split(":targetgroup/")[1]?.split("/")[0] ?? arn;

export interface GateRun {
  clients: Pick<ServiceClients, "ecs" | "elb">;
  clock: Clock;
  logger: Logger;
  cluster: string;
  service: string;
  strategy: WaitStrategy;
  settings: GateSettings;
  deploymentId: string;
  rollbackTarget?: string;
  /** Containers with a container health check: each must report HEALTHY (see GateContext). */
  healthChecked?: string[];
  /** Service events present before the change: not repeated as progress. */
  knownEventIds: Iterable<string>;
  /** Where progress goes; one log line per change by default. */
  view?: ProgressView;
  /** Cancellation: checked before every poll, and it ends the wait between polls at once. */
  signal?: AbortSignal;
}

/**
 * Polls until the verdict is final. Logs one line per change; the timeout is always honoured.
 * A read failing transiently is retried until the gate's deadline (a verdict comes only from
 * answers); past it, RetriesExhaustedError names the operation. A cancellation throws at once.
 */
export async function runGate(run: GateRun): Promise<GateOutcome> {
  const { clock, logger, settings } = run;
  const startedAt = clock.now();
  const progress = new ProgressLines(run.knownEventIds);
  const view = run.view ?? changeLines(logger);
  const events: string[] = [];
  let streak = 0;
  let polls = 0;
  let firstUnhealthyAt: number | undefined;
  let firstAllHealthyAt: number | undefined;
  let lastUnhealthy: UnhealthyTarget | undefined;
  logger.info(
    `gate: waiting for deployment ${run.deploymentId} (${run.strategy.name}; every ${settings.pollIntervalMs} ms, ${settings.healthyPolls} healthy polls in a row, grace ${settings.graceMs} ms, timeout ${settings.timeoutMs} ms)`,
  );
  const patience = {
    clock,
    deadline: startedAt + settings.timeoutMs,
    logger,
    ...(run.signal ? { signal: run.signal } : {}),
  };
  for (;;) {
    throwIfCancelled(run.signal);
    const pollStartedAt = clock.now();
    const snapshot = await observe(run.clients, patience, {
      cluster: run.cluster,
      service: run.service,
      deploymentId: run.deploymentId,
      groups: run.strategy.groups,
    });
    polls += 1;
    const changes = progress.next(snapshot, run.deploymentId);
    for (const line of changes) if (line.startsWith("event: ")) events.push(line.slice(7));
    view.show(snapshot, changes);
    const entries = matchTasksToTargets(snapshot.tasks, snapshot.targetGroups);
    for (const { task, bindings } of entries) {
      const unhealthy = bindings.find((binding) => binding.state === "unhealthy");
      if (unhealthy)
        lastUnhealthy = { ...unhealthy, taskId: task.id, ...(task.ip ? { ip: task.ip } : {}) };
    }
    if (
      firstUnhealthyAt === undefined &&
      entries.some((entry) => entry.bindings.some((binding) => binding.state === "unhealthy"))
    ) {
      firstUnhealthyAt = snapshot.at;
    }
    const verdict = judge(
      snapshot,
      {
        deploymentId: run.deploymentId,
        startedAt,
        settings,
        ...(run.rollbackTarget ? { rollbackTarget: run.rollbackTarget } : {}),
        ...(run.healthChecked ? { healthChecked: run.healthChecked } : {}),
        ...(run.strategy.awaitsRollout ? { awaitsRollout: true } : {}),
      },
      streak,
    );
    if (
      verdict.state !== "failed" &&
      verdict.healthyStreak > 0 &&
      firstAllHealthyAt === undefined
    ) {
      firstAllHealthyAt = snapshot.at;
    }
    const outcome = {
      deploymentId: run.deploymentId,
      last: snapshot,
      events,
      polls,
      startedAt,
      endedAt: snapshot.at,
      ...(firstUnhealthyAt !== undefined ? { firstUnhealthyAt } : {}),
      ...(firstAllHealthyAt !== undefined ? { firstAllHealthyAt } : {}),
      ...(lastUnhealthy ? { lastUnhealthy } : {}),
    };
    if (verdict.state !== "waiting") view.close();
    if (verdict.state === "passed") {
      logger.info(`gate: passed, ${verdict.detail} for ${verdict.healthyStreak} polls`);
      return { ...outcome, passed: true };
    }
    if (verdict.state === "failed") {
      logger.error(`gate: failed, ${verdict.failure.message}`);
      return { ...outcome, passed: false, failure: verdict.failure };
    }
    streak = verdict.healthyStreak;
    // Polls start every interval (the time the calls took counts), and never sleep past the
    // deadline: the last poll happens at the timeout, not after it.
    const now = clock.now();
    const untilNextPoll = pollStartedAt + settings.pollIntervalMs - now;
    const left = startedAt + settings.timeoutMs - now;
    await clock.sleep(Math.max(0, Math.min(untilNextPoll, left)), run.signal);
  }
}
