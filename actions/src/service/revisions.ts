import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type Tag,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "./clients";
import { sameDefinition, type TaskDefinitionBody } from "./render";

export interface RegisteredRevision {
  taskDefinition: TaskDefinition;
  /** False when an existing revision already had exactly this content. */
  registered: boolean;
}

/** The newest ACTIVE revision of a family, or undefined. */
async function latestOfFamily(
  clients: Pick<ServiceClients, "ecs">,
  family: string,
): Promise<TaskDefinition | undefined> {
  try {
    return (await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })))
      .taskDefinition;
  } catch {
    return undefined;
  }
}

/**
 * Registers the rendered definition unless the current one, or the family's newest revision
 * (e.g. from a re-run of a deploy that was rolled back), already has exactly this content.
 */
export async function registerIfChanged(
  clients: Pick<ServiceClients, "ecs">,
  body: TaskDefinitionBody,
  current: TaskDefinition,
  tags: Tag[],
): Promise<RegisteredRevision> {
  if (sameDefinition(body, current)) return { taskDefinition: current, registered: false };
  const latest = await latestOfFamily(clients, current.family ?? "");
  if (latest && sameDefinition(body, latest)) return { taskDefinition: latest, registered: false };
  const response = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({ ...body, ...(tags.length > 0 ? { tags } : {}) }),
  );
  if (!response.taskDefinition) throw new Error("ECS registered no task definition");
  return { taskDefinition: response.taskDefinition, registered: true };
}

function revisionOf(arn: string): number {
  return Number(arn.split(":").pop());
}

/**
 * Deregisters ACTIVE revisions of the family beyond the newest `keep`, never one in `protect`
 * (what runs now, the rollback target). Deregistered revisions still run existing tasks and can
 * still be described; they only cannot start new ones.
 */
export async function pruneRevisions(
  clients: Pick<ServiceClients, "ecs">,
  family: string,
  keep: number,
  protect: string[],
  logger: Logger,
): Promise<string[]> {
  if (keep <= 0) return [];
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: "ACTIVE",
        sort: "DESC",
        nextToken,
      }),
    );
    arns.push(...(page.taskDefinitionArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const ofFamily = arns
    .filter((arn) => arn.split("task-definition/")[1]?.split(":")[0] === family)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
  const doomed = ofFamily.slice(keep).filter((arn) => !protect.includes(arn));
  for (const arn of doomed) {
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    logger.info(`deregistered ${arn} (keeping the newest ${keep} revisions)`);
  }
  return doomed;
}
