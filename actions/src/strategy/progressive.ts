import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import type { OverallVerdict } from "../analysis/verdict";
import type { Clock } from "../lib/clock";
import { RollbackFailedError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import type { Diagnosis } from "../service/diagnose";
import { type GateOutcome, runGate, type WaitStrategy } from "../service/gate";
import type { GateSettings } from "../service/inputs";
import { lastLogLines } from "../service/logs";
import { isInterruption } from "../service/update";
import type { Failure } from "../service/verdict";
import { type FollowOutcome, followDeployment } from "./follow";
import { findServiceDeployment, followEffects, type TrafficGroups } from "./follow-effects";
import type { Delivery } from "./inputs";

export interface ProgressiveRun {
  clients: ServiceClients & { cloudwatch?: CloudWatchClient };
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  cluster: string;
  service: string;
  delivery: Delivery;
  /** Where the production traffic is before the deployment (read before UpdateService). */
  groups?: TrafficGroups;
  /** When UpdateService was sent: the service deployment is the newest created since. */
  since: Date;
  gate: GateSettings;
  /** The whole deployment's deadline: the gate's timeout plus the strategy's bake times. */
  followTimeoutMs: number;
  /** The gate of the old revision after a rollback watches this group. */
  wait: WaitStrategy;
  previousArn: string;
  nextArn: string;
  containers: ContainerDefinition[];
}

export interface ProgressiveResult {
  passed: boolean;
  serviceDeploymentArn: string;
  follow: FollowOutcome;
  failure?: Failure;
  /** The gate of the old revision after ECS's rollback completed. */
  rollbackGate?: GateOutcome;
  rollback?: "succeeded" | "failed";
  diagnosis?: Diagnosis;
}

/**
 * A deployment of blue-green, canary or linear: ECS moves the traffic, shipline follows it stage
 * by stage, judges the new target group against the old one while it takes production traffic,
 * and stops it with rollback on a failing verdict. After any rollback the old revision is gated
 * as after a rolling one, and the diagnosis names what failed.
 */
export async function runProgressive(run: ProgressiveRun): Promise<ProgressiveResult> {
  const { clients, clock, logger } = run;
  const patience = () => ({
    clock,
    deadline: clock.now() + run.gate.timeoutMs,
    logger,
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const arn = await findServiceDeployment(
    clients,
    run.cluster,
    run.service,
    new Date(run.since.getTime() - 1000),
    patience(),
  );
  const { analysis } = run.delivery;
  const canAnalyse =
    analysis.enabled && run.groups !== undefined && clients.cloudwatch !== undefined;
  logger.info(
    `following service deployment ${arn} (${run.delivery.strategy.name}${run.groups ? `; new revision in ${run.groups.newTargetGroup}` : ""})`,
  );
  if (analysis.enabled && !canAnalyse) {
    logger.warning("analysis: off (no CloudWatch client or production listener rule to read)");
  }
  const effects = followEffects(clients, arn, run.groups, analysis.periodSeconds, patience);
  const follow = await followDeployment(
    effects,
    {
      pollIntervalMs: run.gate.pollIntervalMs,
      timeoutMs: run.followTimeoutMs,
      analysis: analysis.settings,
      periodSeconds: analysis.periodSeconds,
      analyse: canAnalyse,
    },
    { clock, logger, ...(run.signal ? { signal: run.signal } : {}) },
  ).catch((error: unknown) => stopWithoutWaiting(error, effects, arn, logger));
  if (follow.result === "succeeded") {
    logger.info(
      `deployment ${arn} SUCCESSFUL${follow.analysis ? `; analysis: ${follow.analysis.message}` : ""}`,
    );
    return { passed: true, serviceDeploymentArn: arn, follow };
  }
  const failure = failureOf(follow);
  logger.error(failure.message);
  const rolledBack = follow.rollback === "ROLLBACK_SUCCESSFUL" || follow.rollback === "STOPPED";
  const rollbackGate = rolledBack ? await gateOldRevision(run) : undefined;
  const diagnosis = await diagnoseAnalysis(run, failure, follow);
  return {
    passed: false,
    serviceDeploymentArn: arn,
    follow,
    failure,
    ...(rollbackGate ? { rollbackGate } : {}),
    rollback: rolledBack && rollbackGate?.passed ? "succeeded" : "failed",
    diagnosis,
  };
}

/** The failure the deployment ends with, naming the metric or the alarm. */
export function failureOf(follow: Exclude<FollowOutcome, { result: "succeeded" }>): Failure {
  if (follow.result === "rolled-back-by-ecs") {
    return follow.alarms.length > 0
      ? {
          cause: "alarm",
          message: `ECS rolled the deployment back: CloudWatch alarm${follow.alarms.length > 1 ? "s" : ""} ${follow.alarms.join(", ")} in ALARM`,
        }
      : {
          cause: "rolled-back-by-ecs",
          message: `ECS rolled the deployment back: ${follow.reason}`,
        };
  }
  if (follow.result === "analysis-failed") {
    return {
      cause: "analysis-failed",
      message: `analysis failed: ${headlineOf(follow.analysis)}`,
    };
  }
  return {
    cause: "timed-out",
    message: `the deployment did not finish in time (${follow.last.stage}); shipline stopped it with rollback`,
  };
}

/** The last failing interval's breaches: which metric, its value and how far over. */
function headlineOf(analysis: OverallVerdict | undefined): string {
  const last = [...(analysis?.intervals ?? [])].reverse().find((i) => i.verdict === "failing");
  return last?.message ?? analysis?.message ?? "no verdict";
}

/** The old revision, gated like any rollout: its PRIMARY deployment, its tasks healthy. */
async function gateOldRevision(run: ProgressiveRun): Promise<GateOutcome | undefined> {
  const described = await run.clients.ecs.send(
    new DescribeServicesCommand({ cluster: run.cluster, services: [run.service] }),
  );
  const primary = described.services?.[0]?.deployments?.find((d) => d.status === "PRIMARY");
  if (!primary?.id) return undefined;
  if (primary.taskDefinition !== run.previousArn) {
    run.logger.error(
      `after the rollback the service runs ${primary.taskDefinition}, not ${run.previousArn}`,
    );
  }
  return runGate({
    clients: run.clients,
    clock: run.clock,
    logger: run.logger,
    cluster: run.cluster,
    service: run.service,
    strategy: run.wait,
    settings: run.gate,
    deploymentId: primary.id,
    knownEventIds: (described.services?.[0]?.events ?? []).flatMap((e) => e.id ?? []),
    ...(run.signal ? { signal: run.signal } : {}),
  });
}

/**
 * What failed and where to look: the analysis' intervals as a table, and the last lines of a
 * task of the new revision (the requests it answered).
 */
async function diagnoseAnalysis(
  run: ProgressiveRun,
  failure: Failure,
  follow: FollowOutcome,
): Promise<Diagnosis> {
  const intervals = follow.analysis?.intervals ?? [];
  const hints =
    failure.cause === "analysis-failed"
      ? [
          "The new revision passed its health checks but answered its users worse than the old one: look at its requests below, and at the metric named (the thresholds are the analysis settings).",
        ]
      : failure.cause === "alarm"
        ? [
            "ECS watched the alarm during the deployment and its bake time; see what the alarm measures.",
          ]
        : [];
  const logs: Diagnosis["logs"] = [];
  const task = await newRevisionTask(run).catch(() => undefined);
  const container = run.containers.find((c) => c.essential !== false) ?? run.containers[0];
  if (task && container?.name) {
    logs.push({
      taskId: task,
      container: container.name,
      lines: await lastLogLines(run.clients, container, task),
    });
  }
  return {
    headline: failure.message,
    hints,
    table: {
      title: "Analysis of the new target group",
      headers: ["interval", "verdict", "detail"],
      rows: intervals.map((i) => [i.start.toISOString().slice(11, 19), i.verdict, i.message]),
    },
    events: [],
    logs,
  };
}

/** A task of the new revision, running or stopped by the rollback. */
async function newRevisionTask(run: ProgressiveRun): Promise<string | undefined> {
  for (const desiredStatus of ["STOPPED", "RUNNING"] as const) {
    const listed = await run.clients.ecs.send(
      new ListTasksCommand({ cluster: run.cluster, serviceName: run.service, desiredStatus }),
    );
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) continue;
    const described = await run.clients.ecs.send(
      new DescribeTasksCommand({ cluster: run.cluster, tasks: arns.slice(0, 100) }),
    );
    const task = described.tasks?.find((t) => t.taskDefinitionArn === run.nextArn);
    if (task?.taskArn) return task.taskArn.split("/").pop();
  }
  return undefined;
}

/**
 * A follow that ended without a verdict (cancelled, or reads failing past the deadline): the
 * deployment is stopped with ECS's rollback, not awaited (a cancelled run exits within seconds),
 * and the interruption rethrown with its exit code. Failing to stop it is a failed rollback.
 */
async function stopWithoutWaiting(
  error: unknown,
  effects: { rollBack(): Promise<void> },
  arn: string,
  logger: Logger,
): Promise<never> {
  if (!isInterruption(error)) throw error;
  logger.error(`${error.message}: stopping service deployment ${arn} with rollback`);
  try {
    await effects.rollBack();
    logger.info(`service deployment ${arn}: rollback requested (not awaited)`);
  } catch (stopError) {
    throw new RollbackFailedError(
      `ROLLBACK FAILED: ${error.message}, and stopping service deployment ${arn} failed too (${(stopError as Error).message})`,
      { cause: error },
    );
  }
  throw error;
}
