import type { SummaryTable } from "../lib/logger";
import { matchTasksToTargets, type TargetBinding, type TaskTargets } from "./match";
import { type Snapshot, shortId, type TargetGroupView } from "./snapshot";
import type { Failure } from "./verdict";

/** What went wrong, for people: a headline, hints for the usual causes, tasks and events. */
export interface Diagnosis {
  headline: string;
  hints: string[];
  table: SummaryTable;
  events: string[];
  /** Last log lines of containers that exited, by task id. */
  logs: { taskId: string; container: string; lines: string[] }[];
}

function groupHint(group: TargetGroupView | undefined, port: number): string {
  const path = group?.healthCheckPath ?? "/";
  const checkPort = group?.healthCheckPort ?? "traffic-port";
  const actualPort = checkPort === "traffic-port" ? String(port) : checkPort;
  return `The load balancer checks GET ${path} on port ${actualPort} and expects HTTP ${group?.matcher ?? "200"}; the service registers container ${group?.containerName ?? "?"} on port ${port}. Check that the app listens on that port (on 0.0.0.0, not 127.0.0.1), that ${path} answers ${group?.matcher ?? "200"} quickly, and that the health check grace period covers its start-up`;
}

/**
 * Where to look next after a time-out without a clear failure. It only points at the service
 * events when there are some: an empty list is itself a clue (ECS never got as far as placing).
 */
function timedOutHint(events: string[], tasks: number): string {
  const head =
    "Timed out without a clear failure: tasks may be slow to start or pull, or the service cannot place them (capacity, subnets, security groups).";
  if (events.length > 0) return `${head} Look at the service events below`;
  const next =
    tasks === 0
      ? "and the deployment started no task: check the service's desired count, its minimum/maximum healthy percent and the cluster's capacity"
      : "so look at the tasks' status: PROVISIONING or PENDING for long is a slow image pull or no capacity; raise the timeout if start-up is only slow";
  return `${head} ECS reported no service events since the deploy began, ${next}`;
}

/** Hints for the failures people meet most, from stop reasons, container reasons and target states. */
export function hintsFor(
  failure: Failure,
  entries: TaskTargets[],
  groups: TargetGroupView[],
  seenUnhealthy?: TargetBinding,
  events: string[] = [],
): string[] {
  const hints = new Set<string>();
  const texts = entries.flatMap(({ task }) => [
    task.stoppedReason ?? "",
    ...task.containers.map((c) => c.reason ?? ""),
  ]);
  const all = [failure.message, ...texts].join("\n");
  if (/CannotPullContainerError/.test(all)) {
    if (/not found|manifest unknown|does not exist/i.test(all)) {
      hints.add(
        "CannotPullContainerError, image not found: the image or digest is not in the repository (pushed to another region or repository? deleted by a lifecycle policy?)",
      );
    } else {
      hints.add(
        "CannotPullContainerError: the task cannot reach ECR. Tasks in private subnets need a NAT gateway or VPC endpoints (com.amazonaws.<region>.ecr.api, ecr.dkr and the S3 gateway endpoint); tasks in public subnets need assignPublicIp ENABLED. Also check that the execution role may pull (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)",
      );
    }
  }
  if (/ResourceInitializationError/.test(all)) {
    hints.add(
      "ResourceInitializationError: ECS could not prepare the task. Check the task execution role (secretsmanager:GetSecretValue / ssm:GetParameters for the task's secrets, kms:Decrypt for their keys, logs:CreateLogStream), that the secrets and the log group exist, and that the subnets reach Secrets Manager / SSM / CloudWatch Logs (NAT or VPC endpoints)",
    );
  }
  const unhealthy = [
    ...entries.flatMap(({ bindings }) =>
      bindings.filter((binding) => binding.state === "unhealthy"),
    ),
    ...(seenUnhealthy ? [seenUnhealthy] : []),
  ];
  const exited = entries.filter(({ task }) => task.stopCode === "EssentialContainerExited");
  // A container that crashed also fails its health checks: the crash is the cause, not the check.
  const healthCheckFailure =
    failure.cause === "target-unhealthy" ||
    /failed ELB health checks/.test(all) ||
    (unhealthy.length > 0 && exited.length === 0);
  if (healthCheckFailure) {
    const binding = unhealthy[0];
    const group = groups.find((g) => g.arn === binding?.targetGroupArn) ?? groups[0];
    const reason = binding
      ? ` The target reports ${binding.reason ?? binding.state}${binding.description ? `: ${binding.description}` : ""}.`
      : "";
    hints.add(
      `Task failed ELB health checks:${reason} ${groupHint(group, binding?.port ?? group?.containerPort ?? 0)}`,
    );
  }
  if (/failed container health checks/.test(all)) {
    hints.add(
      "Task failed container health checks: the task definition's healthCheck command fails; run it by hand in the image, and check its startPeriod",
    );
  }
  for (const { task } of exited) {
    const containers = task.containers.filter((c) => c.exitCode !== undefined && c.exitCode !== 0);
    const names = containers.map((c) => `${c.name} (exit code ${c.exitCode})`).join(", ");
    hints.add(
      `An essential container exited${names ? `: ${names}` : ""}. Its last log lines are below; a start-up crash is often a missing environment variable or secret, or a database it cannot reach`,
    );
    break;
  }
  const notInUse = entries.some(({ bindings }) =>
    bindings.some((binding) => binding.reason === "Target.NotInUse"),
  );
  if (notInUse) {
    hints.add(
      "Target.NotInUse: the service registers its tasks in a target group that no listener rule forwards to, so they are never health-checked; point the service at the target group the listener uses",
    );
  }
  if (failure.cause === "timed-out" && hints.size === 0) {
    hints.add(timedOutHint(events, entries.length));
  }
  if (failure.cause === "superseded") {
    hints.add(
      "Another deployment of this service started while this one was being checked: shipline does not roll back over someone else's change; find the other pipeline or person (one deploy per environment at a time)",
    );
  }
  return [...hints];
}

export function taskTable(title: string, entries: TaskTargets[]): SummaryTable {
  return {
    title,
    headers: ["task", "status", "IP:port", "target", "stop code", "stopped reason", "exit code"],
    rows: entries.map(({ task, bindings }) => [
      shortId(task.id),
      task.lastStatus,
      bindings.map((b) => `${task.ip ?? "-"}:${b.port}`).join(", ") || task.ip || "-",
      bindings
        .map(
          (b) => `${b.state}${b.description || b.reason ? ` (${b.description ?? b.reason})` : ""}`,
        )
        .join(", ") || "-",
      task.stopCode ?? "",
      task.stoppedReason ?? "",
      task.containers
        .filter((c) => c.exitCode !== undefined)
        .map((c) => `${c.name}=${c.exitCode}`)
        .join(", "),
    ]),
  };
}

/**
 * Builds the diagnosis of a failed gate. `logsOf` reads a container's last lines (CloudWatch
 * Logs) for tasks whose essential container exited.
 */
export async function diagnose(
  failure: Failure,
  last: Snapshot,
  events: string[],
  logsOf: (taskId: string, container: string) => Promise<string[]>,
  seenUnhealthy?: TargetBinding,
): Promise<Diagnosis> {
  const entries = matchTasksToTargets(last.tasks, last.targetGroups);
  const logs: Diagnosis["logs"] = [];
  const exited = entries.filter(
    ({ task }) =>
      task.stopCode === "EssentialContainerExited" ||
      task.containers.some((c) => (c.exitCode ?? 0) !== 0),
  );
  for (const { task } of exited.slice(0, 2)) {
    const containers = task.containers.filter((c) => c.exitCode !== undefined && c.exitCode !== 0);
    for (const container of containers.length > 0 ? containers : task.containers.slice(0, 1)) {
      logs.push({
        taskId: task.id,
        container: container.name,
        lines: await logsOf(task.id, container.name),
      });
    }
  }
  return {
    headline: failure.message,
    hints: hintsFor(failure, entries, last.targetGroups, seenUnhealthy, events),
    table: taskTable("Tasks of the failed deployment", entries),
    events,
    logs,
  };
}
