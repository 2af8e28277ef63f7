import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type DesiredStatus,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  type TargetGroup,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type Patience, retryTransient } from "../lib/retry";
import type { ServiceClients } from "./clients";
import {
  type DeploymentView,
  type Snapshot,
  type TargetGroupView,
  type TargetView,
  type TaskView,
  taskIdOf,
} from "./snapshot";

const ms = (date: Date | undefined): number | undefined => date?.getTime();

/** The task's ENI address: from the attachment, or from a container's network interface. */
function ipOf(task: Task): string | undefined {
  for (const attachment of task.attachments ?? []) {
    const ip = attachment.details?.find((detail) => detail.name === "privateIPv4Address")?.value;
    if (ip) return ip;
  }
  return task.containers?.flatMap((c) => c.networkInterfaces ?? [])[0]?.privateIpv4Address;
}

export function taskView(task: Task): TaskView {
  const arn = task.taskArn ?? "";
  return {
    arn,
    id: taskIdOf(arn),
    ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
    lastStatus: task.lastStatus ?? "UNKNOWN",
    desiredStatus: task.desiredStatus ?? "UNKNOWN",
    ...(task.startedBy ? { startedBy: task.startedBy } : {}),
    ...(task.startedAt ? { startedAt: ms(task.startedAt) } : {}),
    ...(task.stoppedAt ? { stoppedAt: ms(task.stoppedAt) } : {}),
    ...(ipOf(task) ? { ip: ipOf(task) } : {}),
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? "",
      ...(container.lastStatus ? { lastStatus: container.lastStatus } : {}),
      ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
      ...(container.reason ? { reason: container.reason } : {}),
      ...(container.healthStatus ? { healthStatus: container.healthStatus } : {}),
    })),
  };
}

/** Where the service's targets are: each load balancer entry with its target group's settings. */
export interface WatchedGroup {
  targetGroupArn: string;
  name: string;
  containerName: string;
  containerPort: number;
  group?: TargetGroup;
  /**
   * Under ECS's blue/green, canary and linear deployments the new tasks register in whichever of
   * the pair does not take production traffic: a task's target may be in either group.
   */
  alternate?: { targetGroupArn: string; name: string };
}

export interface ObserveTarget {
  cluster: string;
  service: string;
  deploymentId: string;
  groups: WatchedGroup[];
}

async function listTaskArns(
  clients: Pick<ServiceClients, "ecs">,
  patience: Patience,
  cluster: string,
  startedBy: string,
  desiredStatus: DesiredStatus,
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await retryTransient(
      "ECS ListTasks",
      () =>
        clients.ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus, nextToken })),
      patience,
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Tasks started by the deployment (ECS sets startedBy to its id), running and stopped. */
export async function deploymentTasks(
  clients: Pick<ServiceClients, "ecs">,
  patience: Patience,
  cluster: string,
  deploymentId: string,
): Promise<TaskView[]> {
  const [running, stopped] = await Promise.all([
    listTaskArns(clients, patience, cluster, deploymentId, "RUNNING"),
    listTaskArns(clients, patience, cluster, deploymentId, "STOPPED"),
  ]);
  const arns = [...new Set([...running, ...stopped])];
  const tasks: TaskView[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const described = await retryTransient(
      "ECS DescribeTasks",
      () => clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) })),
      patience,
    );
    tasks.push(...(described.tasks ?? []).map(taskView));
  }
  return tasks.sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity));
}

/**
 * One poll: DescribeServices, the deployment's tasks (ListTasks by startedBy + DescribeTasks),
 * and DescribeTargetHealth for every target group of the service. Each read rides out transient
 * failures until the patience's deadline: a snapshot is only ever made of real answers.
 */
export async function observe(
  clients: Pick<ServiceClients, "ecs" | "elb">,
  patience: Patience,
  target: ObserveTarget,
): Promise<Snapshot> {
  const groupArns = [
    ...new Set(
      target.groups.flatMap((group) => [
        group.targetGroupArn,
        ...(group.alternate ? [group.alternate.targetGroupArn] : []),
      ]),
    ),
  ];
  const [described, tasks, health] = await Promise.all([
    retryTransient(
      "ECS DescribeServices",
      () =>
        clients.ecs.send(
          new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
        ),
      patience,
    ),
    deploymentTasks(clients, patience, target.cluster, target.deploymentId),
    Promise.all(
      groupArns.map(async (arn) => ({
        arn,
        descriptions:
          (
            await retryTransient(
              "ELBv2 DescribeTargetHealth",
              () => clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
              patience,
            )
          ).TargetHealthDescriptions ?? [],
      })),
    ),
  ]);
  const service = described.services?.[0];
  const deployments: DeploymentView[] = (service?.deployments ?? []).map((deployment) => ({
    id: deployment.id ?? "",
    status: deployment.status ?? "",
    taskDefinition: deployment.taskDefinition ?? "",
    desiredCount: deployment.desiredCount ?? 0,
    runningCount: deployment.runningCount ?? 0,
    ...(deployment.failedTasks !== undefined ? { failedTasks: deployment.failedTasks } : {}),
    ...(deployment.rolloutState ? { rolloutState: deployment.rolloutState } : {}),
    ...(deployment.rolloutStateReason ? { rolloutStateReason: deployment.rolloutStateReason } : {}),
    ...(deployment.createdAt ? { createdAt: ms(deployment.createdAt) } : {}),
  }));
  const targetGroups: TargetGroupView[] = target.groups.map((group) => ({
    arn: group.targetGroupArn,
    name: group.name,
    containerName: group.containerName,
    containerPort: group.containerPort,
    ...(group.group?.HealthCheckPath ? { healthCheckPath: group.group.HealthCheckPath } : {}),
    ...(group.group?.HealthCheckPort ? { healthCheckPort: group.group.HealthCheckPort } : {}),
    ...(group.group?.Matcher?.HttpCode ? { matcher: group.group.Matcher.HttpCode } : {}),
    ...(group.alternate
      ? {
          alternate: {
            arn: group.alternate.targetGroupArn,
            name: group.alternate.name,
            targets: targetsOf(
              health.find((entry) => entry.arn === group.alternate?.targetGroupArn)?.descriptions,
            ),
          },
        }
      : {}),
    targets: targetsOf(health.find((entry) => entry.arn === group.targetGroupArn)?.descriptions),
  }));
  return {
    at: patience.clock.now(),
    deployments,
    events: (service?.events ?? []).map((event) => ({
      id: event.id ?? "",
      createdAt: ms(event.createdAt) ?? 0,
      message: event.message ?? "",
    })),
    tasks,
    targetGroups,
  };
}

/** DescribeTargetHealth's answer as the gate's targets. */
function targetsOf(descriptions: TargetHealthDescription[] | undefined): TargetView[] {
  return (descriptions ?? []).map((description) => ({
    id: description.Target?.Id ?? "",
    ...(description.Target?.Port !== undefined ? { port: description.Target.Port } : {}),
    state: description.TargetHealth?.State ?? "unknown",
    ...(description.TargetHealth?.Reason ? { reason: description.TargetHealth.Reason } : {}),
    ...(description.TargetHealth?.Description
      ? { description: description.TargetHealth.Description }
      : {}),
  }));
}
