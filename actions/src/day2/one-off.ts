import {
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  type ContainerDefinition,
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { CancelledError } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { ExitCode as Codes, type ExitCode, ShiplineError, TimeoutError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import { logStreamOf } from "../service/logs";
import { migrationRunTask } from "../service/migrate";
import { taskView } from "../service/observe";
import type { TaskView } from "../service/snapshot";
import { chooseContainer } from "./container-choice";
import type { RunInputs } from "./inputs";

export interface OneOffDeps {
  service: ServiceClients;
  clock: Clock;
  logger: Logger;
  /** SIGINT/SIGTERM: the task is stopped, then the command exits 130/143. */
  signal?: AbortSignal;
  /** Where the task's own lines go (stdout by default): its output, not shipline's messages. */
  write?: (line: string) => void;
}

export interface OneOffResult {
  taskArn?: string;
  exitCode?: number;
}

const POLL_MS = 1_000;

/** The container's exit code as the command's own: 0 is success, anything else fails with it. */
export class TaskExitError extends ShiplineError {}

/**
 * `shipline run -- COMMAND...`: a one-off task from the live task definition (the service's
 * PRIMARY), in the service's own network and capacity settings, with the command replaced in
 * one container. Its lines are printed as CloudWatch Logs receives them (the awslogs
 * configuration of the task definition); the command exits with the container's exit code.
 */
export async function runOneOff(inputs: RunInputs, deps: OneOffDeps): Promise<OneOffResult> {
  const { clock, logger } = deps;
  const write = deps.write ?? ((line: string) => logger.info(line));
  const current = await readCurrentService(deps.service, inputs.cluster, inputs.service);
  const container = chooseContainer(current, inputs.container);
  const request = {
    ...migrationRunTask({
      cluster: inputs.cluster,
      service: current.service,
      taskDefinition: current.taskDefinition,
      container,
      command: inputs.command,
      timeoutMs: inputs.timeout,
      pollIntervalMs: POLL_MS,
    }),
    startedBy: "shipline-run",
  };
  const definition = current.taskDefinition.containerDefinitions?.find((c) => c.name === container);
  if (inputs["dry-run"]) {
    logger.info(
      `dry run: would run ${JSON.stringify(inputs.command)} in container ${container} of ${current.taskDefinition.taskDefinitionArn}, in the network of ${inputs.service}; nothing was started`,
    );
    return {};
  }
  const started = await deps.service.ecs.send(new RunTaskCommand(request));
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const why = started.failures?.map((f) => `${f.arn ?? ""} ${f.reason ?? ""}`.trim()).join("; ");
    throw new ShiplineError(
      `RunTask started no task: ${why || "no reason given"}`,
      Codes.FailedRolledBack,
    );
  }
  logger.info(`task ${taskArn} runs ${JSON.stringify(inputs.command)} in ${container}`);
  const lines = logReader(deps, definition, taskArn, write);
  const startedAt = clock.now();
  const patience = { clock, logger, deadline: startedAt + inputs.timeout };
  let task: TaskView | undefined;
  try {
    for (;;) {
      const described = await retryTransient(
        "ECS DescribeTasks",
        () =>
          deps.service.ecs.send(
            new DescribeTasksCommand({ cluster: inputs.cluster, tasks: [taskArn] }),
          ),
        { ...patience, deadline: clock.now() + 60_000 },
      );
      const found = described.tasks?.[0];
      if (found) task = taskView(found);
      await lines.read();
      if (task?.lastStatus === "STOPPED") break;
      if (clock.now() - startedAt >= inputs.timeout) {
        await stopTask(deps, inputs.cluster, taskArn, "timed out");
        throw new TimeoutError(
          `the task did not stop within ${Math.round(inputs.timeout / 1000)} s (input "timeout"); it was stopped`,
        );
      }
      await clock.sleep(POLL_MS, deps.signal);
    }
  } catch (error) {
    if (error instanceof CancelledError) {
      await stopTask(deps, inputs.cluster, taskArn, `${error.signal} to shipline run`);
      logger.warning(`${error.signal}: stopped task ${taskArn}`);
    }
    throw error;
  }
  await lines.drain();
  const exited = task?.containers.find((c) => c.name === container);
  const exitCode = exited?.exitCode;
  if (exitCode === undefined) {
    throw new ShiplineError(
      `task ${taskArn} stopped without an exit code: ${[task?.stopCode, task?.stoppedReason, exited?.reason].filter(Boolean).join(": ")}`,
      Codes.FailedRolledBack,
    );
  }
  logger.info(`${container} exited with code ${exitCode}`);
  if (exitCode !== 0) {
    throw new TaskExitError(`${container} exited with code ${exitCode}`, exitCode as ExitCode);
  }
  return { taskArn, exitCode };
}

async function stopTask(
  deps: OneOffDeps,
  cluster: string,
  task: string,
  reason: string,
): Promise<void> {
  await deps.service.ecs
    .send(new StopTaskCommand({ cluster, task, reason: `shipline run: ${reason}` }))
    .catch((error: Error) =>
      deps.logger.warning(
        `could not stop ${task} (${error.message}): stop it with aws ecs stop-task`,
      ),
    );
}

/**
 * Follows one container's log stream forward (GetLogEvents from the head, by nextForwardToken),
 * printing each line once. Before the stream exists, and when the container does not log to
 * CloudWatch Logs, it says so once and reads nothing.
 */
function logReader(
  deps: OneOffDeps,
  definition: ContainerDefinition | undefined,
  taskArn: string,
  write: (line: string) => void,
) {
  const where = logStreamOf(definition, taskArn.split("/").pop() ?? taskArn);
  if (!where) {
    deps.logger.warning(
      `container ${definition?.name ?? "?"} does not log to CloudWatch Logs with an awslogs-stream-prefix: its output cannot be shown`,
    );
  }
  let token: string | undefined;
  /** One pass: pages until the token stops moving. True when it read any line. */
  const read = async (): Promise<boolean> => {
    if (!where) return false;
    let any = false;
    for (;;) {
      let page: GetLogEventsCommandOutput;
      try {
        page = await deps.service.logs.send(
          new GetLogEventsCommand({
            logGroupName: where.group,
            logStreamName: where.stream,
            startFromHead: true,
            ...(token ? { nextToken: token } : {}),
          }),
        );
      } catch (error) {
        // The stream appears when the container starts.
        if ((error as Error).name === "ResourceNotFoundException") return any;
        throw error;
      }
      for (const event of page.events ?? []) write(event.message ?? "");
      any ||= (page.events?.length ?? 0) > 0;
      const next = page.nextForwardToken;
      if (!next || next === token) return any;
      token = next;
    }
  };
  return {
    read,
    /** After the task stopped: lines still on their way to CloudWatch Logs are read too. */
    async drain() {
      await read();
      await deps.clock.sleep(POLL_MS);
      await read();
    },
  };
}
