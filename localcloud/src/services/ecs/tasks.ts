import {
  CannotPullContainerError,
  type Container,
  type HealthMonitor,
  type PulledImage,
  startHealthCheck,
  type TaskNetwork,
  type TaskRuntime,
} from "../../runtime";
import type { EcrService } from "../ecr";
import type { LogsService } from "../logs";
import { imageLocation } from "./images";
import type { ContainerRecord, Json, TaskRecord } from "./model";
import { resolveSecret, SecretRetrievalError, type SecretSources } from "./secrets";

interface LiveTask {
  task: TaskRecord;
  /** Settles when the start sequence has finished, one way or another. */
  starting?: Promise<void>;
  network?: TaskNetwork;
  containers: Map<string, Container>;
  health: HealthMonitor[];
  stopping?: Promise<void>;
}

/** What the launcher needs around it. */
export interface TaskLauncherDeps {
  runtime(): Promise<TaskRuntime>;
  ecr(): EcrService | undefined;
  logs(): LogsService | undefined;
  /** Where containers' `secrets` are read from when a task starts. */
  secrets: SecretSources;
  timeScale: number;
  /** Called after every change of a task's record (persist it, let the scheduler react). */
  changed(task: TaskRecord): void;
}

type ContainerDefinition = Json & {
  name: string;
  image: string;
  essential?: boolean;
  entryPoint?: string[];
  command?: string[];
  environment?: Array<{ name: string; value: string }>;
  secrets?: Array<{ name: string; valueFrom: string }>;
  workingDirectory?: string;
  user?: string;
  readonlyRootFilesystem?: boolean;
  stopTimeout?: number;
  dependsOn?: Array<{
    containerName: string;
    condition: "START" | "COMPLETE" | "SUCCESS" | "HEALTHY";
  }>;
  healthCheck?: {
    command: string[];
    interval?: number;
    timeout?: number;
    retries?: number;
    startPeriod?: number;
  };
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
};

/** A task failed before it ran; stop code and reason as ECS words them. */
class TaskStartFailure extends Error {
  constructor(
    readonly stopCode: string,
    readonly reason: string,
    readonly containerName?: string,
  ) {
    super(reason);
  }
}

/**
 * Runs one ECS task's containers on the runtime and keeps its record as ECS reports it:
 * PROVISIONING → PENDING (pull) → RUNNING → STOPPING → DEPROVISIONING → STOPPED, with exit codes,
 * stop codes and reasons, and each output line shipped to CloudWatch Logs (awslogs driver).
 */
export class TaskLauncher {
  private readonly live = new Map<string, LiveTask>();
  /** Set by stopAll: starts in flight stop at their next step instead of going on. */
  private closing = false;

  constructor(private readonly deps: TaskLauncherDeps) {}

  /** Starts a task in the background; its record follows what happens. */
  launch(task: TaskRecord, definition: Json): void {
    const live: LiveTask = { task, containers: new Map(), health: [] };
    this.live.set(task.taskArn, live);
    live.starting = this.run(task, definition, live).catch((error: unknown) => {
      const failure =
        error instanceof TaskStartFailure
          ? error
          : new TaskStartFailure(
              "TaskFailedToStart",
              `UnexpectedError: ${(error as Error).message}`,
            );
      if (failure.containerName) {
        const container = task.containers.find((c) => c.name === failure.containerName);
        if (container) container.reason = failure.reason;
      }
      void this.stop(task, failure.stopCode, failure.reason);
    });
  }

  /** Stops a task: SIGTERM, then SIGKILL after each container's stopTimeout; then its network. */
  stop(task: TaskRecord, stopCode: string, reason: string, definition?: Json): Promise<void> {
    const live = this.live.get(task.taskArn);
    if (task.lastStatus === "STOPPED") return Promise.resolve();
    if (live?.stopping) return live.stopping;
    task.desiredStatus = "STOPPED";
    task.stopCode ??= stopCode;
    task.stoppedReason ??= reason;
    task.stoppingAt ??= Date.now();
    const stopping = (async () => {
      // Let a start in progress notice the stop first, so that what it creates gets removed.
      await live?.starting;
      this.set(task, "STOPPING");
      for (const monitor of live?.health ?? []) monitor.stop();
      const definitions = (definition?.containerDefinitions ?? []) as ContainerDefinition[];
      await Promise.all(
        [...(live?.containers.values() ?? [])].map((container) => {
          const seconds = definitions.find((d) => d.name === container.name)?.stopTimeout ?? 30;
          return container.stop(
            "SIGTERM",
            Math.max(2_000, seconds * 1000 * Math.min(1, this.deps.timeScale * 4)),
          );
        }),
      );
      this.set(task, "DEPROVISIONING");
      if (live?.network) {
        const runtime = await this.deps.runtime();
        await runtime.destroyTaskNetwork(live.network).catch(() => {});
      }
      for (const container of task.containers) {
        if (container.lastStatus !== "STOPPED") container.lastStatus = "STOPPED";
      }
      task.stoppedAt = Date.now();
      this.live.delete(task.taskArn);
      this.set(task, "STOPPED");
    })();
    if (live) live.stopping = stopping;
    else this.live.set(task.taskArn, { task, containers: new Map(), health: [], stopping });
    return stopping;
  }

  /** Output lines of a task's container (for tests and diagnosis without CloudWatch). */
  logs(taskArn: string, containerName: string): string[] {
    return (
      this.live
        .get(taskArn)
        ?.containers.get(containerName)
        ?.logs()
        .map((l) => l.message) ?? []
    );
  }

  /**
   * Kills every container, then waits for the starts and stops still under way (a killed
   * container's exit stops its task): each writes its task's record, and none may do so once
   * localcloud has stopped (its state folder may be gone by then).
   */
  async stopAll(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.live.values()].flatMap((live) =>
        [...live.containers.values()].map((c) => c.stop("SIGKILL", 5_000)),
      ),
    );
    const waited = new Set<Promise<void>>();
    for (;;) {
      // An exit handled just now may have begun a stop: look again after it had its turn.
      await new Promise((resolve) => setImmediate(resolve));
      const pending = [...this.live.values()]
        .flatMap((live) => [live.starting, live.stopping])
        .filter((work): work is Promise<void> => work !== undefined && !waited.has(work));
      if (pending.length === 0) return;
      for (const work of pending) waited.add(work);
      await Promise.allSettled(pending);
    }
  }

  /** A start goes no further once its task is to stop, or localcloud is stopping. */
  private halted(task: TaskRecord): boolean {
    return this.closing || stopRequested(task);
  }

  private set(task: TaskRecord, status: TaskRecord["lastStatus"]): void {
    task.lastStatus = status;
    task.version += 1;
    this.deps.changed(task);
  }

  private async run(task: TaskRecord, definition: Json, live: LiveTask): Promise<void> {
    const runtime = await this.deps.runtime();
    const definitions = definition.containerDefinitions as ContainerDefinition[];
    const overrides = ((task.overrides.containerOverrides as Json[] | undefined) ?? []) as Array<
      Json & {
        name: string;
        command?: string[];
        environment?: Array<{ name: string; value: string }>;
      }
    >;

    live.network = await runtime.createTaskNetwork(task.taskId);
    task.ip = live.network.ip;
    if (this.halted(task)) return;
    task.pullStartedAt = Date.now();
    this.set(task, "PENDING");

    const secrets = this.readSecrets(definitions);
    this.checkLogGroups(definitions);
    const images = new Map<string, PulledImage>();
    await Promise.all(
      definitions.map(async (def) => {
        try {
          images.set(
            def.name,
            await runtime.pullImage({ ...imageLocation(def.image), ...this.auth(def.image) }),
          );
        } catch (error) {
          if (error instanceof CannotPullContainerError) {
            throw new TaskStartFailure("TaskFailedToStart", error.message, def.name);
          }
          throw error;
        }
      }),
    );
    task.pullStoppedAt = Date.now();
    for (const record of task.containers) record.imageDigest = images.get(record.name)?.digest;
    if (this.halted(task)) return;

    for (const def of startOrder(definitions)) {
      await this.waitForDependencies(task, def, live);
      if (this.halted(task)) return;
      const record = task.containers.find((c) => c.name === def.name) as ContainerRecord;
      const override = overrides.find((o) => o.name === def.name);
      const env = {
        ...Object.fromEntries(
          [...(def.environment ?? []), ...(override?.environment ?? [])].map((e) => [
            e.name,
            e.value,
          ]),
        ),
        ...secrets.get(def.name),
      };
      const image = images.get(def.name) as PulledImage;
      const logTarget = this.logTarget(def, task);
      let container: Container;
      try {
        container = await runtime.startContainer({
          name: def.name,
          image,
          network: live.network,
          ...(def.entryPoint ? { entryPoint: def.entryPoint } : {}),
          ...((override?.command ?? def.command)
            ? { command: override?.command ?? def.command }
            : {}),
          environment: env,
          ...(def.workingDirectory ? { workingDirectory: def.workingDirectory } : {}),
          ...(def.user ? { user: def.user } : {}),
          readonlyRootFilesystem: def.readonlyRootFilesystem ?? false,
          onLog: (line) => logTarget?.(line.timestamp, line.message),
        });
      } catch (error) {
        throw new TaskStartFailure("TaskFailedToStart", (error as Error).message, def.name);
      }
      live.containers.set(def.name, container);
      record.lastStatus = "RUNNING";
      this.deps.changed(task);
      void container.exited.then((status) =>
        this.containerExited(task, def, record, status.exitCode),
      );
      if (def.healthCheck) {
        const scale = Math.min(1, this.deps.timeScale * 4);
        live.health.push(
          startHealthCheck(
            container,
            {
              command: def.healthCheck.command,
              interval: Math.max(0.2, (def.healthCheck.interval ?? 30) * scale),
              timeout: Math.max(1, (def.healthCheck.timeout ?? 5) * scale),
              retries: def.healthCheck.retries ?? 3,
              startPeriod: (def.healthCheck.startPeriod ?? 0) * scale,
            },
            (status) => {
              record.healthStatus = status;
              task.healthStatus = taskHealth(task, definitions);
              this.deps.changed(task);
            },
          ),
        );
      }
    }
    task.startedAt = Date.now();
    if (task.lastStatus === "PENDING") this.set(task, "RUNNING");
  }

  private containerExited(
    task: TaskRecord,
    def: ContainerDefinition,
    record: ContainerRecord,
    exitCode: number,
  ) {
    record.exitCode = exitCode;
    record.lastStatus = "STOPPED";
    this.deps.changed(task);
    if ((def.essential ?? true) && task.desiredStatus !== "STOPPED") {
      void this.stop(task, "EssentialContainerExited", "Essential container in task exited");
    }
  }

  private async waitForDependencies(task: TaskRecord, def: ContainerDefinition, live: LiveTask) {
    for (const dependency of def.dependsOn ?? []) {
      const record = task.containers.find((c) => c.name === dependency.containerName);
      const container = live.containers.get(dependency.containerName);
      if (!record || !container) continue;
      for (;;) {
        if (this.halted(task)) return;
        const met =
          dependency.condition === "START"
            ? true
            : dependency.condition === "HEALTHY"
              ? record.healthStatus === "HEALTHY"
              : dependency.condition === "COMPLETE"
                ? !container.running
                : !container.running && record.exitCode === 0;
        if (met) break;
        if (dependency.condition === "HEALTHY" && record.healthStatus === "UNHEALTHY") {
          throw new TaskStartFailure(
            "TaskFailedToStart",
            `CannotStartContainerError: dependency ${dependency.containerName} is unhealthy`,
            def.name,
          );
        }
        if (dependency.condition === "SUCCESS" && !container.running && record.exitCode !== 0) {
          throw new TaskStartFailure(
            "TaskFailedToStart",
            `CannotStartContainerError: dependency ${dependency.containerName} exited with ${record.exitCode}`,
            def.name,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** The registry password when the image lives in localcloud's ECR. */
  private auth(image: string) {
    const ecr = this.deps.ecr();
    if (!ecr || !image.startsWith(`${ecr.registryHost()}/`)) return {};
    return { auth: { username: "AWS", password: ecr.issueRegistryPassword().password } };
  }

  /**
   * Every container's secrets, read before any image is pulled, as ECS does while it initialises
   * the task's resources; one that cannot be read stops the task before it runs.
   */
  private readSecrets(definitions: ContainerDefinition[]): Map<string, Record<string, string>> {
    const values = new Map<string, Record<string, string>>();
    for (const def of definitions) {
      const env: Record<string, string> = {};
      for (const secret of def.secrets ?? []) {
        try {
          env[secret.name] = resolveSecret(secret.valueFrom, this.deps.secrets);
        } catch (error) {
          if (error instanceof SecretRetrievalError) {
            throw new TaskStartFailure("TaskFailedToStart", error.message, def.name);
          }
          throw error;
        }
      }
      values.set(def.name, env);
    }
    return values;
  }

  /** The awslogs driver refuses to start a task whose log group does not exist. */
  private checkLogGroups(definitions: ContainerDefinition[]) {
    const logs = this.deps.logs();
    for (const def of definitions) {
      const config = def.logConfiguration;
      if (config?.logDriver !== "awslogs" || !logs) continue;
      const group = config.options?.["awslogs-group"] ?? "";
      if (logs.hasGroup(group)) continue;
      if (config.options?.["awslogs-create-group"] === "true") {
        logs.createGroup(group);
        continue;
      }
      throw new TaskStartFailure(
        "TaskFailedToStart",
        `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1`,
        def.name,
      );
    }
  }

  private logTarget(def: ContainerDefinition, task: TaskRecord) {
    const logs = this.deps.logs();
    const options = def.logConfiguration?.options;
    if (def.logConfiguration?.logDriver !== "awslogs" || !logs || !options) return undefined;
    const group = options["awslogs-group"] ?? "";
    const prefix = options["awslogs-stream-prefix"];
    const stream = prefix ? `${prefix}/${def.name}/${task.taskId}` : task.taskId;
    // The awslogs driver creates the stream as the container starts, before its first line.
    logs.append(group, stream, []);
    return (timestamp: number, message: string) =>
      logs.append(group, stream, [{ timestamp, message }]);
  }
}

/** Containers in an order that starts every dependency first. */
const startOrder = <T extends { name: string; dependsOn?: Array<{ containerName: string }> }>(
  defs: T[],
): T[] => {
  const ordered: T[] = [];
  const visit = (def: T, path: string[]) => {
    if (ordered.includes(def)) return;
    if (path.includes(def.name))
      throw new TaskStartFailure(
        "TaskFailedToStart",
        `circular dependsOn: ${[...path, def.name].join(" → ")}`,
      );
    for (const dependency of def.dependsOn ?? []) {
      const target = defs.find((d) => d.name === dependency.containerName);
      if (target) visit(target, [...path, def.name]);
    }
    ordered.push(def);
  };
  for (const def of defs) visit(def, []);
  return ordered;
};

/** A task is HEALTHY when every essential container with a health check is; UNHEALTHY when one is not. */
const taskHealth = (
  task: TaskRecord,
  definitions: ContainerDefinition[],
): TaskRecord["healthStatus"] => {
  const checked = definitions.filter((d) => (d.essential ?? true) && d.healthCheck);
  if (checked.length === 0) return "UNKNOWN";
  const statuses = checked.map(
    (d) => task.containers.find((c) => c.name === d.name)?.healthStatus ?? "UNKNOWN",
  );
  if (statuses.includes("UNHEALTHY")) return "UNHEALTHY";
  return statuses.every((s) => s === "HEALTHY") ? "HEALTHY" : "UNKNOWN";
};

/** Read through a function: the status changes while a task starts, across awaits. */
const stopRequested = (task: TaskRecord): boolean => task.desiredStatus === "STOPPED";
