import { existsSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, TaskRuntime } from "../../runtime";
import type { AwsRequest } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { jsonResponse } from "../../server/protocols";
import type { EcrService } from "../ecr";
import type { Elbv2Service } from "../elbv2";
import type { LogsService } from "../logs";
import type { MonitoringService } from "../monitoring";
import type { SecretsManagerService } from "../secretsmanager";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";
import type { SsmService } from "../ssm";
import { EcsApi } from "./api";
import type { Json, TaskRecord } from "./model";
import { ServiceScheduler } from "./scheduler";
import { openEcsState } from "./store";
import { TaskLauncher } from "./tasks";

export type { TaskRecord } from "./model";

/** ECS with tasks that are real containers; tests reach a task's output through `taskLogs`. */
export interface EcsService extends LocalcloudService {
  /** Output lines of a running or recently stopped task's container. */
  taskLogs(taskArn: string, containerName: string): string[];
  /** Runs one scheduling pass now (tests). */
  schedule(): void;
}

export const ecsService: ServiceFactory = {
  name: "ecs",
  create: (context) => createEcsService(context),
};

const TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

const createEcsService = (context: ServiceContext): EcsService => {
  const state = openEcsState(context.stateDir);
  const runtimeDir = join(context.stateDir, "runtime");
  let runtime: Promise<TaskRuntime> | undefined;
  const optional = <T extends LocalcloudService>(name: string): T | undefined => {
    try {
      return context.service<T>(name);
    } catch {
      return undefined;
    }
  };

  let scheduler: ServiceScheduler;
  const launcher = new TaskLauncher({
    // The runtime (bridge, runc state) is set up on the first task, not at start.
    runtime: () => {
      runtime ??= TaskRuntime.open({
        stateDir: join(context.stateDir, "runtime"),
        network: context.taskNetwork,
      });
      return runtime;
    },
    ecr: () => optional<EcrService>("ecr"),
    logs: () => optional<LogsService>("logs"),
    secrets: {
      secretsManager: () => optional<SecretsManagerService>("secretsmanager"),
      ssm: () => optional<SsmService>("ssm"),
    },
    timeScale: context.timeScale,
    changed: () => {
      state.save();
      scheduler?.tick();
    },
  });

  const definitionOf = (arn: string): Json | undefined => {
    try {
      return api.taskDefinition(arn).definition;
    } catch {
      return undefined;
    }
  };

  const api: EcsApi = new EcsApi(context, state, {
    launch: (task, definition) => launcher.launch(task, definition),
    stop: (task, reason) => {
      void launcher.stop(task, "UserInitiated", reason, definitionOf(task.taskDefinitionArn));
    },
    nudge: () => setImmediate(() => scheduler.tick()),
    elb: () => optional<Elbv2Service>("elbv2"),
  });

  scheduler = new ServiceScheduler({
    state,
    launcher,
    elb: () => optional<Elbv2Service>("elbv2"),
    monitoring: () => optional<MonitoringService>("monitoring"),
    timeScale: context.timeScale,
    definitionOf,
    startServiceTask: (service, deployment): TaskRecord => {
      const definition = definitionOf(deployment.taskDefinition);
      if (!definition) throw new Error(`task definition ${deployment.taskDefinition} vanished`);
      return api.createTask({
        cluster: api.cluster(service.clusterArn),
        definition,
        group: `service:${service.serviceName}`,
        startedBy: deployment.id,
        serviceName: service.serviceName,
        deploymentId: deployment.id,
        ...(deployment.networkConfiguration
          ? { networkConfiguration: deployment.networkConfiguration }
          : {}),
      });
    },
  });

  return {
    name: "ecs",
    signingName: "ecs",
    protocol: "json",
    throttlingError: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
    operationOf: (request: AwsRequest) => {
      const target = request.header("x-amz-target") ?? "";
      return target.startsWith(`${TARGET_PREFIX}.`)
        ? target.slice(TARGET_PREFIX.length + 1)
        : "Unknown";
    },
    async handle(request, operation) {
      let input: Json;
      try {
        input = JSON.parse(request.body.toString("utf8") || "{}") as Json;
      } catch {
        throw new AwsError("SerializationException", "Malformed JSON body");
      }
      return jsonResponse(api.handle(operation, input));
    },
    async start() {
      // A crashed previous run may have left containers, namespaces, a bridge or mounts.
      if (existsSync(runtimeDir)) await cleanupAll(runtimeDir);
      // Containers do not survive a restart: what was running is reported stopped, and the
      // scheduler starts replacements for services.
      state.update((s) => {
        for (const task of s.tasks) {
          if (task.lastStatus === "STOPPED") continue;
          task.lastStatus = "STOPPED";
          task.desiredStatus = "STOPPED";
          task.stopCode ??= "TaskFailedToStart";
          task.stoppedReason ??= "Task stopped because localcloud restarted";
          task.stoppedAt = Date.now();
          for (const container of task.containers) container.lastStatus = "STOPPED";
        }
        // Keep an hour of stopped tasks, as ECS shows them for about that long.
        const cutoff = Date.now() - 3_600_000;
        s.tasks = s.tasks.filter((t) => (t.stoppedAt ?? Date.now()) > cutoff);
      });
      scheduler.start();
    },
    async stop() {
      scheduler.stop();
      await launcher.stopAll();
      if (runtime) await (await runtime).close();
      state.save();
    },
    taskLogs: (taskArn, containerName) => launcher.logs(taskArn, containerName),
    schedule: () => {
      scheduler.tick();
      api.finishDeletes();
    },
  };
};
