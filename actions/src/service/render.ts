import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { diffTaskDefinitions } from "../taskdef/diff";
import type { ImageChange } from "./inputs";

/**
 * Fields ECS adds to a registered task definition. They describe the revision, not the task, and
 * RegisterTaskDefinition rejects or ignores them, so they are dropped; every other field (known
 * today or added to ECS later) passes through untouched.
 */
export const READ_ONLY_FIELDS = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
  "deleteRequestedAt",
] as const;

export interface RenderChanges {
  images: ImageChange[];
  /** container → NAME → value. */
  environment: Record<string, Record<string, string>>;
}

/** A task definition as RegisterTaskDefinition takes it, without tags. */
export type TaskDefinitionBody = Omit<RegisterTaskDefinitionCommandInput, "tags">;

/** The registrable body of a registered task definition. */
export function bodyOf(definition: TaskDefinition): TaskDefinitionBody {
  const copy = structuredClone(definition) as Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  // The SDK may add undefined members; they are not part of the definition.
  for (const [key, value] of Object.entries(copy)) if (value === undefined) delete copy[key];
  return copy as unknown as TaskDefinitionBody;
}

function withEnvironment(
  environment: KeyValuePair[] | undefined,
  overrides: Record<string, string>,
): KeyValuePair[] {
  const result = (environment ?? []).map((pair) => ({ ...pair }));
  for (const [name, value] of Object.entries(overrides)) {
    const existing = result.find((pair) => pair.name === name);
    if (existing) existing.value = value;
    else result.push({ name, value });
  }
  return result;
}

/**
 * The new task definition: the current one with new images and environment overrides, all else
 * as it was. Pure: the caller has checked that every named container exists.
 */
export function renderTaskDefinition(
  current: TaskDefinition,
  changes: RenderChanges,
): TaskDefinitionBody {
  const body = bodyOf(current);
  body.containerDefinitions = (body.containerDefinitions ?? []).map(
    (container): ContainerDefinition => {
      const name = container.name ?? "";
      const image = changes.images.find((change) => change.container === name)?.image;
      const environment = changes.environment[name];
      return {
        ...container,
        ...(image ? { image } : {}),
        ...(environment
          ? { environment: withEnvironment(container.environment, environment) }
          : {}),
      };
    },
  );
  return body;
}

/** JSON with object keys sorted, so two bodies compare by content, not by key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      return Object.fromEntries(
        Object.entries(inner as Record<string, unknown>)
          .filter(([, member]) => member !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return inner;
  });
}

/**
 * Whether registering `body` would give a revision that runs exactly like `existing`: no field
 * differs but for what ECS fills in itself when a field is left out (a task definition file
 * rarely spells out ECS's defaults, which DescribeTaskDefinition returns), or the order of named
 * items.
 */
export function sameDefinition(body: TaskDefinitionBody, existing: TaskDefinition): boolean {
  return diffTaskDefinitions(bodyOf(existing), body).length === 0;
}

/** The tags of a new revision: the commit, and the caller's own. */
export function revisionTags(commit: string | undefined, extra: Record<string, string>): Tag[] {
  const tags: Record<string, string> = { ...extra };
  if (commit) tags["shipline:commit"] = commit;
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}
