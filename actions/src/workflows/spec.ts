import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import * as z from "zod";

/**
 * The CI-neutral description of the pipelines (workflows/pipelines.yml): what runs, in which
 * order, with which values. The GitHub and CircleCI renderers add only what each system needs
 * around it (triggers, credentials, permissions), so both run the very same commands.
 */

/** Where an environment variable's value comes from; each renderer maps these its own way. */
const source = z
  .string()
  .regex(
    /^(var:[A-Z][A-Z0-9_]*|input:[a-z][a-z-]*|pr-number|github-token|repository|[^:]+)$/,
    "expected var:NAME, input:NAME, pr-number, github-token, repository or a literal",
  );

const stepSchema = z
  .object({
    name: z.string(),
    run: z.string(),
    // Reaches AWS: the credentials are obtained right before the first such step, so nothing
    // that runs earlier (installing, building) ever holds them.
    aws: z.boolean().default(false),
  })
  .strict();

/** Which role a pipeline assumes: none, the deploy role, or the preview role (previews only). */
export const CREDENTIALS = ["none", "deploy", "preview"] as const;

/**
 * A job that runs the pull request's code (install, test, build) with no credentials and a
 * read-only token; only `artifact` (folders of built files) leaves it, for the pipeline's own
 * steps, which then run none of the pull request's code.
 */
const relativeFolder = z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, "expected a relative folder");

const buildSchema = z
  .object({
    // One folder, or several (e.g. the built site and the images' OCI layouts).
    artifact: z
      .union([relativeFolder, z.array(relativeFolder).min(1)])
      .transform((value) => (typeof value === "string" ? [value] : value)),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

export const TRIGGERS = [
  "push-main",
  "manual",
  "pull-request",
  "pull-request-closed",
  "schedule",
] as const;

const inputSchema = z
  .object({
    description: z.string(),
    options: z.array(z.string()).optional(),
    default: z.string().default(""),
  })
  .strict();

const pipelineSchema = z
  .object({
    trigger: z.enum(TRIGGERS),
    inputs: z.record(z.string(), inputSchema).default({}),
    cron: z.string().optional(),
    description: z.string(),
    credentials: z.enum(CREDENTIALS),
    // Longer than the release lock's TTL, so a job is never killed while its lock still stands.
    "timeout-minutes": z.number().int().positive(),
    build: buildSchema.optional(),
    env: z.record(z.string(), source).default({}),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .refine((pipeline) => pipeline.credentials === "none" || pipeline.steps.some((s) => s.aws), {
    message: "a pipeline with credentials marks the first step that needs them with aws: true",
  })
  .refine((pipeline) => !pipeline.build?.steps.some((step) => step.aws), {
    message: "build steps run the pull request's code and never get AWS credentials",
  });

const environmentName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected an environment name");

/**
 * One step of the promotion flow: a job that runs in its environment (its GitHub environment,
 * its CircleCI context), after the stage before it and, with `approval`, after a person approved.
 * With `environments` the stage runs in each of them at once (regions, or several production
 * environments): one job per environment, in parallel, each holding its own environment's lock;
 * the next stage waits for all of them. Its steps read the environment from SHIPLINE_ENVIRONMENT.
 */
const stageSchema = z
  .object({
    environment: environmentName.optional(),
    environments: z
      .array(environmentName)
      .min(2, "expected two environments or more (a single one is `environment`)")
      .refine((names) => new Set(names).size === names.length, {
        message: "expected each environment once",
      })
      .optional(),
    description: z.string(),
    approval: z.boolean().default(false),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .refine((stage) => (stage.environment === undefined) !== (stage.environments === undefined), {
    message:
      "a stage names either `environment` (one) or `environments` (several, deployed in parallel), not both and not neither",
  })
  .refine((stage) => stage.steps.some((step) => step.aws), {
    message: "a stage marks the first step that needs credentials with aws: true",
  })
  .refine(
    (stage) =>
      !stage.environments?.some((name) =>
        stage.steps.some((step) => new RegExp(`(^|[\\s"'=])${name}($|[\\s"'])`).test(step.run)),
      ),
    {
      message:
        "the steps of a stage with several environments serve all of them: they read SHIPLINE_ENVIRONMENT instead of naming one",
    },
  );

/**
 * Build once, promote through environments: a push to main runs the first stage (deploy and
 * verify), each later stage (promote and verify) runs after the one before, behind an approval.
 */
const promotionSchema = z
  .object({
    trigger: z.literal("push-main"),
    description: z.string(),
    // Longer than the release lock's TTL, as for every pipeline.
    "timeout-minutes": z.number().int().positive(),
    env: z.record(z.string(), source).default({}),
    stages: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, "expected a job name"), stageSchema)
      .refine((stages) => Object.keys(stages).length >= 2, {
        message: "a promotion has two stages or more",
      }),
  })
  .strict();

export const specSchema = z
  .object({
    node: z.string().regex(/^\d+$/, "expected a Node major version"),
    "circleci-image": z.string(),
    environment: z.string(),
    "default-branch": z.string(),
    env: z.record(z.string(), source).default({}),
    pipelines: z.record(z.string(), pipelineSchema),
    promotion: promotionSchema.optional(),
  })
  .strict();

export type PipelineSpec = z.output<typeof specSchema>;
export type Pipeline = z.output<typeof pipelineSchema>;
export type Step = z.output<typeof stepSchema>;
export type BuildJob = z.output<typeof buildSchema>;
export type Credentials = (typeof CREDENTIALS)[number];
export type PipelineInput = z.output<typeof inputSchema>;
export type Promotion = z.output<typeof promotionSchema>;
export type Stage = z.output<typeof stageSchema>;

/** The file and job names of the promotion flow. */
export const PROMOTION = "promotion";

/** The environments a stage runs in: its one `environment`, or each of its `environments`. */
export function stageEnvironments(stage: Stage): string[] {
  return stage.environments ?? (stage.environment ? [stage.environment] : []);
}

/** Whether a stage fans out: one job per environment, in parallel. */
export const isFanOut = (stage: Stage): boolean => stage.environments !== undefined;

/**
 * A stage as a pipeline of its own (the deploy role, its environment's variables), for reuse.
 * `environment` is the one it runs in: its own, or one of its `environments`.
 */
export function stagePipeline(
  promotion: Promotion,
  stage: Stage,
  environment = stageEnvironments(stage)[0] ?? "",
): Pipeline {
  return {
    trigger: "push-main",
    inputs: {},
    description: stage.description,
    credentials: "deploy",
    "timeout-minutes": promotion["timeout-minutes"],
    env: { ...promotion.env, SHIPLINE_ENVIRONMENT: environment },
    steps: stage.steps,
  };
}

/**
 * The environment a pipeline acts on: fixed (the spec's), or chosen by hand when its
 * SHIPLINE_ENVIRONMENT comes from an input (a rollback of any environment).
 */
export function environmentChoice(
  spec: PipelineSpec,
  pipeline: Pipeline,
): { input: string } | { fixed: string } {
  const source = parseSource({ ...spec.env, ...pipeline.env }.SHIPLINE_ENVIRONMENT ?? "");
  if (source.kind === "input") return { input: source.name };
  return { fixed: source.kind === "literal" && source.value ? source.value : spec.environment };
}

export type Source =
  | { kind: "var"; name: string }
  | { kind: "input"; name: string }
  | { kind: "pr-number" | "github-token" | "repository" }
  | { kind: "literal"; value: string };

export function parseSource(value: string): Source {
  if (value.startsWith("var:")) return { kind: "var", name: value.slice(4) };
  if (value.startsWith("input:")) return { kind: "input", name: value.slice(6) };
  if (value === "pr-number" || value === "github-token" || value === "repository") {
    return { kind: value };
  }
  return { kind: "literal", value };
}

export function parseSpec(text: string): PipelineSpec {
  const spec = specSchema.parse(parse(text));
  if (!spec["circleci-image"].startsWith(`cimg/node:${spec.node}.`)) {
    throw new Error(
      `circleci-image must be a cimg/node:${spec.node}.x image, like node: ${spec.node}`,
    );
  }
  return spec;
}

/**
 * The steps in the order they run, with `credentials` where the role is assumed: right before
 * the first step that reaches AWS. Both renderers place their credentials step from this.
 */
export function stepsWithCredentials(pipeline: Pipeline): (Step | "credentials")[] {
  if (pipeline.credentials === "none") return pipeline.steps;
  const first = pipeline.steps.findIndex((step) => step.aws);
  return [...pipeline.steps.slice(0, first), "credentials", ...pipeline.steps.slice(first)];
}

/** The build job's environment: the pipeline's, less the GitHub token (it runs the PR's code). */
export function buildEnv(spec: PipelineSpec, pipeline: Pipeline): [string, Source][] {
  return pipelineEnv(spec, pipeline).filter(([, source]) => source.kind !== "github-token");
}

export async function loadSpec(path: string): Promise<PipelineSpec> {
  return parseSpec(await readFile(path, "utf8"));
}

/** The environment of one pipeline: the spec's shared variables, then its own. */
export function pipelineEnv(spec: PipelineSpec, pipeline: Pipeline): [string, Source][] {
  return Object.entries({ ...spec.env, ...pipeline.env }).map(([name, value]) => [
    name,
    parseSource(value),
  ]);
}

/** The variable holding the role a pipeline assumes; the preview role can only touch previews. */
export function roleVariable(pipeline: Pipeline): string {
  return pipeline.credentials === "preview" ? "SHIPLINE_PREVIEW_ROLE_ARN" : "SHIPLINE_ROLE_ARN";
}

/** The CircleCI context (and the GitHub credentials) a pipeline's main job gets. */
export function contextOf(spec: PipelineSpec, pipeline: Pipeline, name = ""): string {
  if (pipeline.credentials === "preview") return "shipline-preview";
  const environment = environmentChoice(spec, pipeline);
  return "input" in environment
    ? `shipline-<< pipeline.parameters.${name}-${environment.input} >>`
    : `shipline-${environment.fixed}`;
}
