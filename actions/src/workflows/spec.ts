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

const stepSchema = z.object({ name: z.string(), run: z.string() }).strict();

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
    aws: z.boolean(),
    env: z.record(z.string(), source).default({}),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

export const specSchema = z
  .object({
    node: z.string(),
    environment: z.string(),
    env: z.record(z.string(), source).default({}),
    pipelines: z.record(z.string(), pipelineSchema),
  })
  .strict();

export type PipelineSpec = z.output<typeof specSchema>;
export type Pipeline = z.output<typeof pipelineSchema>;
export type Step = z.output<typeof stepSchema>;
export type PipelineInput = z.output<typeof inputSchema>;

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
  return specSchema.parse(parse(text));
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
