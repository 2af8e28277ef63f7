import * as z from "zod";
import type { InputDeclaration } from "../lib/declaration";
import { durationRange, parseDuration } from "../lib/inputs";
import { CONTAINER_NAME, CONTAINER_NAME_RULE } from "../lib/names";
import { DEPLOY } from "../release/declarations";
import { DURATION_LIMITS, type DurationLimit } from "../release/limits";

/** A key's description in the file: the declared input it sets, with its default. */
function described(input: InputDeclaration, limit?: DurationLimit): string {
  const range = limit ? ` A duration ${durationRange(limit)}.` : "";
  const fallback = input.default === undefined ? "" : ` Default ${input.default}.`;
  return `${input.description}${range}${fallback}`;
}

const inputs = DEPLOY.inputs;

/**
 * The environment configuration file (`shipline.yml`). Keys are spelled like the inputs and flags
 * they feed (kebab-case), so one name works in the file, on the command line and in action.yml.
 * The same schema produces `shipline.schema.json` for editors (see json-schema.ts).
 */

const duration = z
  .union([z.string(), z.number().nonnegative()])
  .refine((value) => typeof value === "number" || parseDuration(value) !== undefined, {
    message: 'expected a duration like "30s", "5m" or "1h" (or a number of seconds)',
  })
  .describe('A duration like "30s", "5m", "1h30m", or a number of seconds.');

const toMs = (value: string | number) =>
  typeof value === "number" ? value * 1000 : (parseDuration(value) ?? Number.NaN);

/** A duration within a release's limits, so the file's line is named, not only the input. */
const limitedDuration = (limit: DurationLimit) =>
  duration.refine(
    (value) => {
      const ms = toMs(value);
      return Number.isNaN(ms) || (ms >= limit.minMs && ms <= limit.maxMs);
    },
    { message: `expected a duration ${durationRange(limit)}` },
  );

const name = (what: string) => z.string().min(1, `expected a non-empty ${what}`);

export const containerSchema = z
  .object({
    repository: z
      .string()
      .regex(
        /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        'expected an ECR repository name like "shipline/api"',
      )
      .describe('The ECR repository the image is pushed to, e.g. "shipline/api".'),
    preset: z
      .enum(["api", "nginx"])
      .optional()
      .describe("How the image is built by the oci builder (the sample app's presets)."),
    context: z
      .string()
      .optional()
      .describe("The folder with the bundle or config the image is made of."),
    "base-image": z
      .string()
      .optional()
      .describe("The base image, pinned by digest (name@sha256:…), for the oci builder."),
  })
  .strict();

export const gateSchema = z
  .object({
    timeout: limitedDuration(DURATION_LIMITS["gate-timeout"])
      .optional()
      .describe(described(inputs["gate-timeout"], DURATION_LIMITS["gate-timeout"])),
    interval: limitedDuration(DURATION_LIMITS["gate-interval"])
      .optional()
      .describe(described(inputs["gate-interval"], DURATION_LIMITS["gate-interval"])),
    "healthy-polls": z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe(described(inputs["healthy-polls"])),
    "grace-period": limitedDuration(DURATION_LIMITS["grace-period"])
      .optional()
      .describe(described(inputs["grace-period"], DURATION_LIMITS["grace-period"])),
  })
  .strict();

export const environmentSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region name like "eu-west-1"')
      .optional()
      .describe("AWS region; default is the file's top-level region, then the SDK's."),
    cluster: name("ECS cluster name").describe(described(inputs.cluster)),
    service: name("ECS service name").describe("The ECS service behind the load balancer."),
    containers: z
      .record(
        z.string().regex(CONTAINER_NAME, `expected a container name: ${CONTAINER_NAME_RULE}`),
        containerSchema,
      )
      .refine((value) => Object.keys(value).length > 0, {
        message: "expected at least one container",
      })
      .describe("Task definition containers (by name) whose images shipline builds and rolls."),
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "expected an S3 bucket name (3–63 lowercase letters, digits, '.' and '-')",
      )
      .describe(described(inputs.bucket)),
    distributions: z
      .array(
        z
          .string()
          .regex(/^[A-Z0-9]{6,32}$/, 'expected a CloudFront distribution id like "E2QWRUHAPOMQZL"'),
      )
      .default([])
      .describe("CloudFront distributions serving the bucket (the input distribution-id)."),
    url: z.url().optional().describe(described(inputs.url)),
    web: z
      .union([
        z.string(),
        z
          .object({
            source: z.string().optional().describe(described(inputs.source)),
            mode: z
              .enum(["invalidate", "atomic"])
              .optional()
              .describe(described(inputs["web-mode"])),
            "key-value-store": z.string().optional().describe(described(inputs["key-value-store"])),
            "edge-function": z.string().optional().describe(described(inputs["edge-function"])),
          })
          .strict(),
      ])
      .optional()
      .describe(
        `${described(inputs.source)} Or an object: source (the folder), mode, key-value-store and edge-function (how a web release goes live).`,
      ),
    gate: gateSchema.default({}).describe("How the ECS rollout is judged."),
    "release-env": z
      .array(z.string().regex(/^[A-Za-z0-9_-]+:[A-Za-z_][A-Za-z0-9_]*$/, "expected container:NAME"))
      .default([])
      .describe(
        "Environment variables (container:NAME) set to the release id in each new task definition, e.g. api:RELEASE_ID (the input release-env).",
      ),
    "keep-revisions": z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe(described(inputs["keep-revisions"])),
    "keep-releases": z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe(described(inputs["keep-releases"])),
    "lock-ttl": limitedDuration(DURATION_LIMITS["lock-ttl"])
      .optional()
      .describe(described(inputs["lock-ttl"], DURATION_LIMITS["lock-ttl"])),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).describe("Format version of this file."),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region name like "eu-west-1"')
      .optional()
      .describe("Default AWS region for every environment."),
    "ledger-prefix": z
      .string()
      .regex(/^[^/].*\/$/, 'expected a key prefix ending with "/", like ".shipline/"')
      .optional()
      .describe(described(inputs["ledger-prefix"])),
    environments: z
      .record(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "expected an environment name like production"),
        environmentSchema,
      )
      .refine((value) => Object.keys(value).length > 0, {
        message: "expected at least one environment",
      })
      .describe("The environments, by name (e.g. production, staging)."),
  })
  .strict();

export type ShiplineConfig = z.output<typeof configSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ContainerConfig = z.output<typeof containerSchema>;
