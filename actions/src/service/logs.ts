import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import type { ServiceClients } from "./clients";

/** Where the awslogs driver writes a container's output: group and `prefix/container/task-id`. */
export function logStreamOf(
  container: ContainerDefinition | undefined,
  taskId: string,
): { group: string; stream: string } | undefined {
  const config = container?.logConfiguration;
  if (config?.logDriver !== "awslogs") return undefined;
  const group = config.options?.["awslogs-group"];
  const prefix = config.options?.["awslogs-stream-prefix"];
  // Without a prefix ECS names streams by container id, which the API does not give back.
  if (!group || !prefix || !container?.name) return undefined;
  return { group, stream: `${prefix}/${container.name}/${taskId}` };
}

/**
 * The last `limit` lines a container wrote, or a line saying why they cannot be shown. Never
 * throws: logs help a diagnosis, their absence must not hide it.
 */
export async function lastLogLines(
  clients: Pick<ServiceClients, "logs">,
  container: ContainerDefinition | undefined,
  taskId: string,
  limit = 20,
): Promise<string[]> {
  const where = logStreamOf(container, taskId);
  if (!where) {
    return [
      `(no logs: container ${container?.name ?? "?"} does not use the awslogs driver with awslogs-stream-prefix)`,
    ];
  }
  try {
    const response = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: where.group,
        logStreamName: where.stream,
        limit,
        startFromHead: false,
      }),
    );
    const lines = (response.events ?? []).map((event) => event.message ?? "");
    return lines.length > 0 ? lines : [`(log stream ${where.group}/${where.stream} is empty)`];
  } catch (error) {
    return [`(could not read ${where.group}/${where.stream}: ${(error as Error).message})`];
  }
}
