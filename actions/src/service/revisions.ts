import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type Tag,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { ConfigurationError } from "../lib/errors";
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
 * Which revisions of a family stay ACTIVE (besides the protected ones: what runs now and the
 * rollback target).
 * - newest: deploy-service on its own, without a ledger: the family's newest N, whatever their
 *   deploys' fate.
 * - referenced: a release: the revisions of the releases its ledger keeps (the live one and the
 *   N live before it). A failed deploy's revision is not among them, so failures never push a
 *   release that `rollback --to` may return to out of the kept set.
 */
export type Retention = { newest: number } | { referenced: string[] };

async function activeRevisions(
  clients: Pick<ServiceClients, "ecs">,
  family: string,
): Promise<string[]> {
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
  return arns
    .filter((arn) => arn.split("task-definition/")[1]?.split(":")[0] === family)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/**
 * Deregisters the ACTIVE revisions of the family that the retention does not keep, never one in
 * `protect`. Deregistered revisions still run existing tasks and can still be described; they
 * only cannot start new ones (nor be deployed again).
 */
export async function pruneRevisions(
  clients: Pick<ServiceClients, "ecs">,
  family: string,
  retention: Retention,
  protect: string[],
  logger: Logger,
): Promise<string[]> {
  if ("newest" in retention && retention.newest <= 0) return [];
  const ofFamily = await activeRevisions(clients, family);
  const kept = "newest" in retention ? ofFamily.slice(0, retention.newest) : retention.referenced;
  const why =
    "newest" in retention
      ? `keeping the newest ${retention.newest} revisions`
      : "no kept release runs it";
  const doomed = ofFamily.filter((arn) => !kept.includes(arn) && !protect.includes(arn));
  for (const arn of doomed) {
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    logger.info(`deregistered ${arn} (${why})`);
  }
  return doomed;
}

/**
 * Refuses a task definition ECS would refuse to deploy (INACTIVE: deregistered), before anything
 * changes, naming it and the way out.
 */
export async function requireActiveRevision(
  clients: Pick<ServiceClients, "ecs">,
  taskDefinitionArn: string,
  what: string,
): Promise<void> {
  // A revision deleted after deregistration is not described at all (ClientException).
  const described = await clients.ecs
    .send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))
    .catch((error: Error) => {
      if (error.name === "ClientException") return undefined;
      throw error;
    });
  const status = described?.taskDefinition?.status;
  if (status !== "ACTIVE") {
    throw new ConfigurationError(
      `${what} runs task definition ${taskDefinitionArn}, which is ${status ?? "unknown to ECS (deleted)"}: ECS cannot deploy a deregistered revision; choose a newer release (see shipline history), or register that revision again and deploy it`,
    );
  }
}
