import { parseCommand } from "../images/command";
import { declaredShape, withCurrentNames } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  addProblem,
  boolean,
  duration,
  input,
  inputSchema,
  integer,
  keyValues,
  optionalParsedWith,
  optionalText,
  parseDuration,
  parseInputs,
  pipe,
  type RawInputs,
  splitList,
  text,
} from "../lib/inputs";
import { parseImageReference } from "../oci/reference";
import { type Delivery, deliveryOf, deliveryShape } from "../strategy/inputs";
import type { TaskDefinitionFile } from "../taskdef/model";
import { DEPLOY_SERVICE } from "./declaration";

/** One container's new image, always pinned by digest. */
export interface ImageChange {
  container: string;
  /** registry/repository[:tag]@sha256:… as given. */
  image: string;
  registry: string;
  repository: string;
  digest: string;
}

/** `container=registry/repository@sha256:…` (a tag before the digest is allowed and kept). */
export function parseImageChange(entry: string): ImageChange {
  const equals = entry.indexOf("=");
  const container = equals > 0 ? entry.slice(0, equals).trim() : "";
  const image = equals > 0 ? entry.slice(equals + 1).trim() : "";
  if (!container || !image) {
    throw new ConfigurationError(
      `image ${quote(entry)} must be container=registry/repository@sha256:<64 hex>`,
    );
  }
  const reference = parseImageReference(image);
  if (!reference.digest) {
    throw new ConfigurationError(
      `image ${quote(entry)} has no digest: deploy images by digest (…@sha256:<64 hex>), as build-image outputs them, so what was tested is what runs`,
    );
  }
  return {
    container,
    image,
    registry: reference.registry,
    repository: reference.repository,
    digest: reference.digest,
  };
}

/**
 * `container:NAME=value` lines: environment variables set (or replaced) in one container of the
 * new task definition. The container prefix is required so a variable never lands in the wrong one.
 */
export function parseEnvironmentOverrides(
  lines: Record<string, string>,
): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(lines)) {
    const colon = key.indexOf(":");
    const container = colon > 0 ? key.slice(0, colon).trim() : "";
    const name = colon > 0 ? key.slice(colon + 1).trim() : "";
    if (!container || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      throw new ConfigurationError(
        `environment ${quote(`${key}=${value}`)} must be container:NAME=value, e.g. api:LOG_LEVEL=debug`,
      );
    }
    result[container] = { ...result[container], [name]: value };
  }
  return result;
}

/** A list of container=image@digest entries; every bad entry is reported. */
export function imageChanges() {
  return input((raw, ctx) => {
    const changes: ImageChange[] = [];
    for (const entry of splitList(raw)) {
      try {
        const change = parseImageChange(entry);
        if (changes.some((other) => other.container === change.container)) {
          addProblem(ctx, `names container ${quote(change.container)} twice`);
        }
        changes.push(change);
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error;
        addProblem(ctx, error.message);
      }
    }
    return changes;
  });
}

/** container:NAME=value lines. */
export function environmentOverrides() {
  return pipe(keyValues(), (lines: Record<string, string>, ctx) => {
    try {
      return parseEnvironmentOverrides(lines);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      addProblem(ctx, error.message);
      return {};
    }
  });
}

/** The inputs of deploy-service, named exactly as in actions/deploy-service/action.yml. */
export const deployServiceSchema = inputSchema(
  declaredShape(DEPLOY_SERVICE.inputs, {
    cluster: text(),
    service: text(),
    images: imageChanges(),
    environment: environmentOverrides(),
    "migration-command": optionalParsedWith(parseCommand),
    "migration-container": optionalText(),
    "migration-timeout": duration(10 * 60_000),
    "gate-timeout": duration(15 * 60_000),
    "gate-interval": duration(5_000),
    "healthy-polls": integer(3, { min: 1, max: 100 }),
    "grace-period": optionalParsedWith(parseGrace),
    "rollback-timeout": optionalParsedWith(parsePositiveDuration),
    rollback: boolean(true),
    "wait-for-rollback": boolean(true),
    "keep-revisions": integer(0, { min: 0, max: 1000 }),
    commit: optionalText(),
    tags: keyValues(),
    region: optionalText(),
    "dry-run": boolean(false),
    ...deliveryShape(),
  }),
);

export function parseGrace(value: string): number {
  return parsePositiveDuration(value, true);
}

function parsePositiveDuration(value: string, allowZero = false): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0 || (!allowZero && ms === 0)) {
    throw new ConfigurationError(
      `${quote(value)} must be a ${allowZero ? "" : "positive "}duration like "30s", "5m" or "1h"`,
    );
  }
  return ms;
}

export interface GateSettings {
  /** Time between polls. */
  pollIntervalMs: number;
  /** Consecutive all-healthy polls needed to pass. */
  healthyPolls: number;
  /** An unhealthy target within this time of its task's start is not yet a failure. */
  graceMs: number;
  /** The gate gives up after this long, whatever it sees. */
  timeoutMs: number;
}

/** Everything deploy-service needs, validated once. Keys follow action.yml. */
export interface DeployServiceInputs {
  cluster: string;
  service: string;
  images: ImageChange[];
  /** container → NAME → value. */
  environment: Record<string, Record<string, string>>;
  migration?: { command: string[]; container?: string; timeoutMs: number };
  gate: Omit<GateSettings, "graceMs"> & {
    /** Undefined: the service's health check grace period. */
    graceMs?: number;
  };
  rollback: boolean;
  waitForRollback: boolean;
  rollbackTimeoutMs: number;
  /** Keep this many newest revisions of the family; 0 keeps all. */
  keepRevisions: number;
  commit?: string;
  tags: Record<string, string>;
  region?: string;
  dryRun: boolean;
  /** The strategy, where it moves traffic, the user's alarms and the analysis. Default rolling. */
  delivery?: Delivery;
  /**
   * A release's task definition file: the new revision is the file with the new images, not the
   * running revision with them.
   */
  taskDefinitionFile?: TaskDefinitionFile;
}

/** Validates raw inputs (action inputs, CLI flags) into DeployServiceInputs, all problems at once. */
export function parseDeployServiceInputs(raw: RawInputs): DeployServiceInputs {
  const parsed = parseInputs(deployServiceSchema, withCurrentNames(raw, DEPLOY_SERVICE.deprecated));
  const problems: string[] = [];
  if (parsed["gate-timeout"] <= 0) problems.push(`input "gate-timeout" must be more than 0`);
  if (parsed["gate-interval"] <= 0) problems.push(`input "gate-interval" must be more than 0`);
  if (parsed["migration-container"] && !parsed["migration-command"]) {
    problems.push('input "migration-container" needs "migration-command"');
  }
  let delivery: Delivery | undefined;
  try {
    delivery = deliveryOf(parsed);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.push(error.message);
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  const command = parsed["migration-command"];
  return {
    cluster: parsed.cluster,
    service: parsed.service,
    images: parsed.images,
    environment: parsed.environment,
    ...(command
      ? {
          migration: {
            command,
            ...(parsed["migration-container"] ? { container: parsed["migration-container"] } : {}),
            timeoutMs: parsed["migration-timeout"],
          },
        }
      : {}),
    gate: {
      pollIntervalMs: parsed["gate-interval"],
      healthyPolls: parsed["healthy-polls"],
      timeoutMs: parsed["gate-timeout"],
      ...(parsed["grace-period"] !== undefined ? { graceMs: parsed["grace-period"] } : {}),
    },
    rollback: parsed.rollback,
    waitForRollback: parsed["wait-for-rollback"],
    rollbackTimeoutMs: parsed["rollback-timeout"] ?? parsed["gate-timeout"],
    keepRevisions: parsed["keep-revisions"],
    ...(parsed.commit ? { commit: parsed.commit } : {}),
    tags: parsed.tags,
    ...(parsed.region ? { region: parsed.region } : {}),
    dryRun: parsed["dry-run"],
    delivery: delivery as Delivery,
  };
}
