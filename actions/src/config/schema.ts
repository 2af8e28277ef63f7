import * as z from "zod";
import { BUILD_IMAGE } from "../images/build-image-declaration";
import type { InputDeclaration } from "../lib/declaration";
import { durationRange, parseDuration } from "../lib/inputs";
import { CONTAINER_NAME, CONTAINER_NAME_RULE } from "../lib/names";
import { PREVIEW, PREVIEW_DOMAIN } from "../preview/declaration";
import { DEPLOY } from "../release/declarations";
import { DURATION_LIMITS, type DurationLimit } from "../release/limits";
import { SERVICE_KEY, SERVICE_KEY_RULE } from "../release/service-key";

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

const build = BUILD_IMAGE.inputs;

/** An input's description, with how the file spells a value that the input takes as lines. */
const inFile = (input: InputDeclaration, form: string) =>
  `${input.description} In the file: ${form}.`;

/** The builders build-image knows, as the file names them. */
export const BUILDERS = ["oci", "docker", "buildah"] as const;

/** Settings only one kind of builder reads: given to another, they would silently do nothing. */
const OCI_ONLY = [
  "base-image",
  "destination",
  "cmd",
  "entrypoint",
  "workdir",
  "user",
  "ports",
  "env",
  "layers",
] as const;
const DOCKERFILE_ONLY = ["dockerfile", "target", "build-args"] as const;

/** KEY: value pairs (env, labels, build-args): one line each when they become an input. */
const keyValueMap = (what: string) =>
  z.record(
    z.string().regex(/^[^=\s]+$/, `expected a ${what} name without "=" or spaces`),
    z
      .union([z.string(), z.number(), z.boolean()])
      .transform(String)
      .refine((value) => !/[\r\n]/.test(value), { message: "expected a value on one line" }),
  );

/** A command: exec form (a list of words), or one line of words separated by spaces. */
const command = z.union([
  z.array(z.string()).min(1, "expected at least one word"),
  z
    .string()
    .min(1, "expected a command")
    .regex(/^[^\r\n]*$/, "expected a command on one line"),
]);

/**
 * How one container's image is built, for every builder: the image the service runs is
 * described here, never assumed by shipline. Descriptions are build-image's inputs'.
 */
export const containerSchema = z
  .object({
    repository: z
      .string()
      .regex(
        /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        'expected an ECR repository name like "shipline/api"',
      )
      .describe('The ECR repository the image is pushed to, e.g. "shipline/api".'),
    builder: z.enum(BUILDERS).default("oci").describe(described(build.builder)),
    context: z.string().min(1).optional().describe(described(build.context)),
    dockerfile: z.string().min(1).optional().describe(described(build.dockerfile)),
    target: z.string().min(1).optional().describe(described(build.target)),
    "build-args": keyValueMap("build argument")
      .optional()
      .describe(inFile(build["build-args"], "NAME: value")),
    "base-image": z.string().min(1).optional().describe(described(build["base-image"])),
    destination: z
      .string()
      .startsWith("/", "expected an absolute path in the image")
      .optional()
      .describe(described(build.destination)),
    cmd: command.optional().describe(described(build.cmd)),
    entrypoint: command.optional().describe(described(build.entrypoint)),
    workdir: z
      .string()
      .startsWith("/", "expected an absolute path in the image")
      .optional()
      .describe(described(build.workdir)),
    user: z
      .union([z.string().min(1), z.number().int().nonnegative()])
      .transform(String)
      .optional()
      .describe(described(build.user)),
    ports: z
      .array(
        z.union([
          z.number().int().min(1).max(65535),
          z.string().regex(/^\d{1,5}(\/(tcp|udp|sctp))?$/, 'expected a port like 8000 or "53/udp"'),
        ]),
      )
      .optional()
      .describe(inFile(build.ports, '[8000, "53/udp"]')),
    env: keyValueMap("variable").optional().describe(inFile(build.env, "NAME: value")),
    labels: keyValueMap("label").optional().describe(inFile(build.labels, "NAME: value")),
    layers: z
      .array(
        z
          .string()
          .min(1)
          .regex(/^[^\r\n]*$/, "expected one line of patterns"),
      )
      .optional()
      .describe(inFile(build.layers, 'a list, one item per layer, e.g. ["*.wasm *.data"]')),
  })
  .strict()
  .superRefine((container, ctx) => {
    const misplaced: readonly string[] = container.builder === "oci" ? DOCKERFILE_ONLY : OCI_ONLY;
    for (const key of misplaced) {
      if (container[key as keyof typeof container] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `is not read by builder ${container.builder} (${container.builder === "oci" ? "it is a Dockerfile's setting" : "the Dockerfile says it"})`,
        });
      }
    }
  });

/** PATTERN: value rules, in order (the first that matches a file wins). */
const headerRules = (what: string) =>
  z
    .record(
      z.string().regex(/^[^=\r\n]+$/, 'expected a glob pattern without "="'),
      z
        .string()
        .min(1)
        .regex(/^[^\r\n]*$/, `expected a ${what} on one line`),
    )
    .optional();

/** The site's folder and how its files are served. */
export const webSchema = z
  .object({
    // Optional: a run may name its folder (--source) while the file holds how the site is served.
    source: z.string().min(1).optional().describe(inputs.source.description),
    immutable: z
      .array(
        z
          .string()
          .min(1)
          .regex(/^[^,\r\n]*$/, "expected a glob pattern"),
      )
      .optional()
      .describe(inputs.immutable.description),
    "cache-control": headerRules("Cache-Control value").describe(
      `${inputs["cache-control"].description} As PATTERN: value.`,
    ),
    "content-type": headerRules("Content-Type value").describe(
      `${inputs["content-type"].description} As PATTERN: value.`,
    ),
    mode: z.enum(["invalidate", "atomic"]).optional().describe(described(inputs["web-mode"])),
    "key-value-store": z.string().min(1).optional().describe(inputs["key-value-store"].description),
    "edge-function": z.string().min(1).optional().describe(inputs["edge-function"].description),
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

export const verifyCheckSchema = z
  .object({
    path: z
      .string()
      .regex(/^\/[^\s]*$/, 'expected a path on the site starting with "/", like "/api/healthz"')
      .describe('A path on the environment\'s URL, e.g. "/" or "/api/healthz".'),
    status: z
      .number()
      .int()
      .min(100)
      .max(599)
      .default(200)
      .describe("The HTTP status expected. Default 200."),
    body: z
      .string()
      .min(1, "expected a non-empty text")
      .optional()
      .describe("Text the response body must contain."),
    assets: z
      .boolean()
      .default(false)
      .describe(
        "The path is a page: every script, stylesheet, image and icon it references must answer 200 too.",
      ),
  })
  .strict();

export const verifySchema = z
  .object({
    checks: z
      .array(verifyCheckSchema)
      .min(1, "expected at least one check")
      .describe("The requests `shipline verify` makes, each with what it expects."),
    latency: limitedDuration(DURATION_LIMITS["verify-latency"])
      .optional()
      .describe(
        `Every response (assets included) must arrive within this time. A duration ${durationRange(DURATION_LIMITS["verify-latency"])}. Default 5s.`,
      ),
  })
  .strict();

const arnOf = (kind: string, pattern: RegExp) => z.string().regex(pattern, `expected ${kind} ARN`);

/** How the service's new revision takes over (the inputs strategy, bake-time and the routing). */
export const strategySchema = z
  .object({
    type: z
      .enum(["rolling", "blue-green", "canary", "linear"])
      .default("rolling")
      .describe(described(inputs.strategy)),
    percent: z
      .number()
      .min(0.1)
      .max(100)
      .optional()
      .describe(
        "canary: the share of production traffic the new revision takes first (0.1–100, default 5); linear: each step's share (3–100, default 10).",
      ),
    "step-bake-time": duration
      .optional()
      .describe(
        "canary: how long the first share bakes before the rest moves (default 10m); linear: the time between steps (default 6m). Whole minutes.",
      ),
    "bake-time": duration.optional().describe(described(inputs["bake-time"])),
    "alternate-target-group": arnOf(
      "a target group",
      /^arn:aws[a-z-]*:elasticloadbalancing:.*:targetgroup\/.+/,
    )
      .optional()
      .describe(described(inputs["alternate-target-group"])),
    "production-listener-rule": arnOf(
      "a listener rule",
      /^arn:aws[a-z-]*:elasticloadbalancing:.*:listener-rule\/.+/,
    )
      .optional()
      .describe(described(inputs["production-listener-rule"])),
    "test-listener-rule": arnOf(
      "a listener rule",
      /^arn:aws[a-z-]*:elasticloadbalancing:.*:listener-rule\/.+/,
    )
      .optional()
      .describe(described(inputs["test-listener-rule"])),
    role: arnOf("an IAM role", /^arn:aws[a-z-]*:iam::\d*:role\/.+/)
      .optional()
      .describe(described(inputs["load-balancer-role"])),
  })
  .strict();

const rateOrNumber = z.union([
  z.number().min(0).max(1),
  z.string().regex(/^\d+(\.\d+)?%$/, 'expected a rate like "5%" or 0.05'),
]);

/** The analysis of the new target group against the old one (the input analysis). */
export const analysisSchema = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe("Run the analysis (non-rolling strategies). Default true."),
    interval: duration
      .optional()
      .describe(
        "One analysis interval, a CloudWatch period: 1s, 5s, 10s, 30s or whole minutes. Default 1m.",
      ),
    "max-error-rate": rateOrNumber
      .optional()
      .describe(
        "The new target group fails over this 5xx rate whatever the old one does. Default 5%.",
      ),
    "error-rate-factor": z
      .number()
      .positive()
      .optional()
      .describe("... or over this factor × the old rate + error-rate-floor. Default 2."),
    "error-rate-floor": rateOrNumber.optional().describe("Default 2%."),
    "latency-factor": z
      .number()
      .positive()
      .optional()
      .describe("The new p95 fails over this factor × the old p95 + latency-floor. Default 1.5."),
    "latency-floor": duration.optional().describe("Default 50ms."),
    "min-requests": z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Fewer requests to the new target group in an interval is too little to judge. Default 20.",
      ),
    "consecutive-failures": z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Failing intervals in a row that stop the deployment. Default 2."),
  })
  .strict();

const previewInputs = PREVIEW.inputs;

/**
 * The environment's pull request previews. In web-mode atomic each is a release of the site at
 * pr-<n>.<domain>; with api, each also runs the pull request's API, reached at the same host.
 */
export const previewSchema = z
  .object({
    domain: z
      .string()
      .regex(
        /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/,
        'expected a lower-case domain name like "example-preview.com"',
      )
      .describe(PREVIEW_DOMAIN["preview-domain"].description),
    api: z.boolean().default(false).describe(described(previewInputs.api)),
    environment: z
      .record(
        z.string().regex(CONTAINER_NAME, `expected a container name: ${CONTAINER_NAME_RULE}`),
        keyValueMap("variable"),
      )
      .optional()
      .describe(
        "Environment variables of each preview's API, by container then NAME: value (an empty value for settings an app reads as unset when empty).",
      ),
  })
  .strict();

/** The ECS service name rule, as ECS states it (CreateService's serviceName). */
const ECS_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const ECS_NAME_RULE = "up to 255 letters, digits, hyphens and underscores";

/** One service of a release: the ECS service, its cluster, and how its task definition is made. */
export const serviceSchema = z
  .object({
    service: z
      .string()
      .regex(ECS_NAME, `expected an ECS service name: ${ECS_NAME_RULE}`)
      .describe("The ECS service name."),
    cluster: z
      .string()
      .regex(ECS_NAME, `expected an ECS cluster name: ${ECS_NAME_RULE}`)
      .optional()
      .describe("Its ECS cluster. Default the environment's cluster."),
    "task-definition": z
      .string()
      .min(1)
      .optional()
      .describe(
        "Its task definition file (JSON or YAML, RegisterTaskDefinition's input). Default: the running revision with the new images.",
      ),
    strategy: strategySchema
      .optional()
      .describe("How this service's new revision takes over (ECS deployment strategy)."),
    alarms: z
      .array(
        z.string().regex(/^[^\s,=]{1,255}$/, "expected an alarm name without spaces, commas or ="),
      )
      .optional()
      .describe("Its own CloudWatch alarms ECS watches during the deployment (rollback on)."),
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
    service: name("ECS service name")
      .optional()
      .describe("The ECS service of a release of one service (the shorthand of services)."),
    services: z
      .record(
        z.string().regex(SERVICE_KEY, `expected a service key: ${SERVICE_KEY_RULE}`),
        serviceSchema,
      )
      .refine((value) => Object.keys(value).length > 0, {
        message: "expected at least one service",
      })
      .optional()
      .describe(
        "The ECS services a release rolls together, by a key naming each in logs and records. Each runs the images of the containers its task definition has (matched by name).",
      ),
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
      .union([z.string().min(1), webSchema])
      .optional()
      .describe(`The site: its folder (${inputs.source.description}), or its settings.`),
    gate: gateSchema.default({}).describe("How the ECS rollout is judged."),
    preview: previewSchema.optional().describe("Pull request previews of this environment."),
    strategy: strategySchema
      .optional()
      .describe("How the service's new revision takes over (ECS deployment strategy)."),
    analysis: analysisSchema
      .optional()
      .describe(
        "Thresholds of the analysis of the new revision's target group against the old one (non-rolling strategies).",
      ),
    alarms: z.array(z.string().min(1).max(255)).optional().describe(described(inputs.alarms)),
    "release-env": z
      .array(z.string().regex(/^[A-Za-z0-9_-]+:[A-Za-z_][A-Za-z0-9_]*$/, "expected container:NAME"))
      .default([])
      .describe(
        "Environment variables (container:NAME) set to the release id in each new task definition, e.g. api:RELEASE_ID (the input release-env).",
      ),
    "task-definition": z.string().min(1).optional().describe(described(inputs["task-definition"])),
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
    verify: verifySchema
      .optional()
      .describe("Smoke checks `shipline verify` runs against the environment's url."),
  })
  .strict()
  .superRefine((environment, ctx) => {
    if ((environment.service === undefined) === (environment.services === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["services"],
        message: "expected either service (one service) or services (several), and not both",
      });
    }
    if (environment.services && environment["task-definition"] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["task-definition"],
        message: "is the one-service shorthand's: with services, give each its task-definition",
      });
    }
  });

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
export type VerifyConfig = z.output<typeof verifySchema>;
export type PreviewConfig = z.output<typeof previewSchema>;
