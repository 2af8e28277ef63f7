import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { ImageChange } from "../service/inputs";
import { renderTaskDefinition, type TaskDefinitionBody } from "../service/render";

/** The tag every resource of a preview's API carries, valued pr-<n>: what cleanup trusts. */
export const PREVIEW_TAG = "shipline:preview";

/** ELBv2 target group names: at most 32 letters, digits and hyphens, no hyphen at either end. */
const TARGET_GROUP_NAME_MAX = 32;

/** The names of one pull request's API resources, derived from the production service's. */
export interface PreviewApiNames {
  /** The ECS service, in the production service's cluster. */
  service: string;
  /** The task definition family of its revisions. */
  family: string;
  targetGroup: string;
  /** The host its listener rule matches: pr-<n>.<preview domain>. */
  host: string;
  /** The value of PREVIEW_TAG. */
  tag: string;
}

/**
 * Deterministic names, so a re-run (or a run after a kill) finds what an earlier one made,
 * and cleanup finds them from the pull request number alone.
 */
export function previewApiNames(input: {
  service: string;
  family: string;
  pullRequest: number;
  domain: string;
}): PreviewApiNames {
  const suffix = `-pr-${input.pullRequest}`;
  const stem = input.service
    .replace(/[^A-Za-z0-9-]/g, "-")
    .slice(0, TARGET_GROUP_NAME_MAX - suffix.length)
    .replace(/^-+|-+$/g, "");
  return {
    service: `${input.service}${suffix}`,
    family: `${input.family}${suffix}`,
    targetGroup: `${stem || "preview"}${suffix}`,
    host: `pr-${input.pullRequest}.${input.domain}`,
    tag: `pr-${input.pullRequest}`,
  };
}

/** The listener rule priorities ELBv2 accepts. */
export const PRIORITY_RANGE = { min: 1, max: 50_000 } as const;

/**
 * The lowest priority no rule of the listener holds (and none of `skip`, those another run took
 * between our read and our write): a host rule is more specific than the path rules a listener
 * usually has, so it goes first. Undefined when the listener is full.
 */
export function freePriority(
  used: Iterable<number>,
  skip: Iterable<number> = [],
): number | undefined {
  const taken = new Set([...used, ...skip]);
  for (let priority = PRIORITY_RANGE.min; priority <= PRIORITY_RANGE.max; priority += 1) {
    if (!taken.has(priority)) return priority;
  }
  return undefined;
}

/**
 * The preview's task definition: production's running one in the preview's own family, with the
 * pull request's images and the preview's environment overrides. The pull request's code must
 * not run with production's privileges: the task role is dropped, and so are the containers'
 * secrets and environment files (the execution role injects them); a preview gets its settings
 * from the environment overrides. The execution role stays (it pulls the image, ships the logs).
 * Pure.
 */
export function previewTaskDefinition(
  production: TaskDefinition,
  family: string,
  images: ImageChange[],
  environment: Record<string, Record<string, string>>,
): TaskDefinitionBody {
  const { taskRoleArn: _role, ...body } = renderTaskDefinition(production, {
    images,
    environment,
  });
  return {
    ...body,
    family,
    containerDefinitions: (body.containerDefinitions ?? []).map(
      ({ secrets: _secrets, environmentFiles: _files, ...container }) => container,
    ),
  };
}

/** What a preview leaves out of production's definition, for the log. */
export function withheldFromPreview(production: TaskDefinition): string[] {
  return [
    ...(production.taskRoleArn ? [`task role ${production.taskRoleArn}`] : []),
    ...(production.containerDefinitions ?? []).flatMap((container) => [
      ...(container.secrets ?? []).map((secret) => `secret ${container.name}:${secret.name}`),
      ...(container.environmentFiles?.length
        ? [`${container.environmentFiles.length} environment file(s) of ${container.name}`]
        : []),
    ]),
  ];
}
