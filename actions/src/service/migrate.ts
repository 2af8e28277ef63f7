import {
  DescribeTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Service,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";
import type { ServiceClients } from "./clients";
import { lastLogLines } from "./logs";
import { taskView } from "./observe";
import type { TaskView } from "./snapshot";

export interface MigrationRequest {
  cluster: string;
  service: Service;
  /** The new task definition: migrations run the code that is about to ship. */
  taskDefinition: TaskDefinition;
  container: string;
  command: string[];
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface MigrationResult {
  ok: boolean;
  task?: TaskView;
  exitCode?: number;
  /** Why it failed, in a sentence. */
  reason?: string;
  logLines: string[];
  durationMs: number;
}

/** RunTask in the service's own network and capacity settings, with the command overridden. */
export function migrationRunTask(request: MigrationRequest): RunTaskCommandInput {
  const { service } = request;
  return {
    cluster: request.cluster,
    taskDefinition: request.taskDefinition.taskDefinitionArn,
    count: 1,
    startedBy: "shipline-migration",
    ...(service.capacityProviderStrategy?.length
      ? { capacityProviderStrategy: service.capacityProviderStrategy }
      : service.launchType
        ? { launchType: service.launchType }
        : {}),
    ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
    ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
    overrides: { containerOverrides: [{ name: request.container, command: request.command }] },
  };
}

/**
 * Runs the migration task and waits until it has STOPPED. Polling DescribeTasks (not a waiter on
 * RUNNING) sees a task that stopped before the first poll as well. Any outcome other than the
 * migration container exiting 0 is a failure, with the container's last log lines.
 */
export async function runMigration(
  request: MigrationRequest,
  deps: {
    clients: Pick<ServiceClients, "ecs" | "logs">;
    clock: Clock;
    logger: Logger;
    signal?: AbortSignal;
  },
): Promise<MigrationResult> {
  const { clients, clock, logger, signal } = deps;
  const startedAt = clock.now();
  logger.info(`migration: running ${JSON.stringify(request.command)} in ${request.container}`);
  const started = await clients.ecs.send(new RunTaskCommand(migrationRunTask(request)));
  const arn = started.tasks?.[0]?.taskArn;
  if (!arn) {
    const why = started.failures?.map((f) => `${f.arn ?? ""} ${f.reason ?? ""}`).join("; ");
    return {
      ok: false,
      reason: `RunTask started no task: ${why || "no reason given"}`,
      logLines: [],
      durationMs: clock.now() - startedAt,
    };
  }
  let task: TaskView | undefined;
  let lastStatus = "";
  const patience = {
    clock,
    deadline: startedAt + request.timeoutMs,
    logger,
    ...(signal ? { signal } : {}),
  };
  for (;;) {
    const described = await retryTransient(
      "ECS DescribeTasks",
      () => clients.ecs.send(new DescribeTasksCommand({ cluster: request.cluster, tasks: [arn] })),
      patience,
    );
    const found = described.tasks?.[0];
    if (found) {
      task = taskView(found);
      if (task.lastStatus !== lastStatus) {
        lastStatus = task.lastStatus;
        logger.info(`migration: task ${task.id} ${task.lastStatus}`);
      }
      if (task.lastStatus === "STOPPED") break;
    }
    if (clock.now() - startedAt >= request.timeoutMs) {
      return {
        ok: false,
        ...(task ? { task } : {}),
        reason: `the migration task did not stop within ${Math.round(request.timeoutMs / 1000)} s (it keeps running; stop it with aws ecs stop-task --task ${arn})`,
        logLines: [],
        durationMs: clock.now() - startedAt,
      };
    }
    const left = startedAt + request.timeoutMs - clock.now();
    await clock.sleep(Math.max(0, Math.min(request.pollIntervalMs, left)), signal);
  }
  const container = task.containers.find((c) => c.name === request.container);
  const definition = request.taskDefinition.containerDefinitions?.find(
    (c) => c.name === request.container,
  );
  const logLines = await lastLogLines(clients, definition, task.id, 50);
  for (const line of logLines) logger.info(`migration | ${line}`);
  const exitCode = container?.exitCode;
  const ok = exitCode === 0;
  const reason = ok
    ? undefined
    : exitCode !== undefined
      ? `the migration exited with code ${exitCode}`
      : `the migration task stopped without an exit code: ${task.stopCode ?? ""} ${task.stoppedReason ?? ""} ${container?.reason ?? ""}`.trim();
  return {
    ok,
    task,
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(reason ? { reason } : {}),
    logLines,
    durationMs: clock.now() - startedAt,
  };
}
