import { DEFAULT_LEDGER_PREFIX, normalizePrefix } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { quote } from "../lib/errors";
import {
  addProblem,
  boolean,
  duration,
  type InputsOf,
  inputSchema,
  integer,
  keyValues,
  list,
  optionalDuration,
  optionalText,
  parseInputs,
  pipe,
  type RawInputs,
  text,
  textWithDefault,
} from "../lib/inputs";
import { CONTAINER_NAME, CONTAINER_NAME_RULE } from "../lib/names";
import { deliveryShape } from "../strategy/inputs";
import { checkWebMode, distributionIds, webModeShape } from "../web/inputs";
import { DEPLOY, HISTORY, ROLLBACK, STATUS, UNLOCK } from "./declarations";
import { DURATION_LIMITS } from "./limits";

/** Inputs every command on an environment's ledger shares (keys as in the config file). */
export const ledgerShape = {
  config: optionalText(),
  environment: text(),
  bucket: text(),
  "ledger-prefix": textWithDefault(DEFAULT_LEDGER_PREFIX),
  region: optionalText(),
};

export const historySchema = inputSchema(
  declaredShape(HISTORY.inputs, {
    ...ledgerShape,
    limit: integer(20, { min: 1, max: 1000 }),
  }),
);

export type HistoryInputs = InputsOf<typeof historySchema>;

export function parseHistoryInputs(raw: RawInputs): HistoryInputs {
  const parsed = parseInputs(historySchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

/** Settings deploy and rollback share (service gate, web, lock), keyed like the config file. */
const releaseShape = {
  ...ledgerShape,
  cluster: text(),
  /** The one-service shorthand of services (releaseServices checks one of them is given). */
  service: optionalText(),
  /** KEY=SERVICE [cluster=NAME] [task-definition=PATH] lines (see services.ts). */
  services: list(),
  "distribution-id": distributionIds(),
  url: optionalText(),
  ...webModeShape,
  "gate-timeout": duration(15 * 60_000, DURATION_LIMITS["gate-timeout"]),
  "gate-interval": duration(5_000, DURATION_LIMITS["gate-interval"]),
  "healthy-polls": integer(3, { min: 1, max: 100 }),
  /** Undefined: the service's own health check grace period. */
  "grace-period": optionalDuration(DURATION_LIMITS["grace-period"]),
  "keep-releases": integer(3, { min: 0, max: 100 }),
  "lock-ttl": duration(30 * 60_000, DURATION_LIMITS["lock-ttl"]),
  "release-id": optionalText(),
  "wait-invalidation": boolean(false),
  /** Print the plan and change nothing: no lock, no record, no write. */
  "dry-run": boolean(false),
};

/** NAME=REPOSITORY lines whose names are container names (nothing that splits a line). */
function containerRepositories() {
  return pipe(keyValues(), (lines: Record<string, string>, ctx) => {
    for (const name of Object.keys(lines)) {
      if (!CONTAINER_NAME.test(name)) {
        addProblem(
          ctx,
          `names container ${quote(name)}: a container name is ${CONTAINER_NAME_RULE}`,
        );
      }
    }
    return lines;
  });
}

export const deploySchema = inputSchema(
  declaredShape(DEPLOY.inputs, {
    ...releaseShape,
    /** NAME=REPOSITORY lines: the containers whose images are built (from the config file). */
    containers: containerRepositories(),
    /** container=registry/repository@sha256:… lines: images built earlier, used as they are. */
    images: list(),
    /** No default: the site is the configuration's (web) or the input's, never a guess. */
    source: text(),
    immutable: list(),
    "cache-control": keyValues(),
    "content-type": keyValues(),
    "keep-revisions": integer(5, { min: 0, max: 1000 }),
    "migration-command": optionalText(),
    /** container:NAME lines: variables set to the release id in the new task definition. */
    "release-env": list(),
    /** container:NAME=value lines (one per line: a value may hold commas). */
    "container-env": keyValues(),
    /** The task definition file's path (relative to the working directory). */
    "task-definition": optionalText(),
    ...deliveryShape(),
  }),
);

export const rollbackSchema = inputSchema(
  declaredShape(ROLLBACK.inputs, {
    ...releaseShape,
    /** previous, release (then `release` names it), or a release id. */
    to: textWithDefault("previous"),
    release: optionalText(),
  }),
);

export type DeployInputs = InputsOf<typeof deploySchema>;
export type RollbackInputs = InputsOf<typeof rollbackSchema>;

export function parseDeployInputs(raw: RawInputs): DeployInputs {
  const parsed = parseInputs(deploySchema, raw);
  checkWebMode(parsed);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

export function parseRollbackInputs(raw: RawInputs): RollbackInputs {
  const parsed = parseInputs(rollbackSchema, raw);
  checkWebMode(parsed);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

/** `shipline status`: the environment, and the service whose truth is compared with the ledger. */
export const statusSchema = inputSchema(
  declaredShape(STATUS.inputs, {
    ...ledgerShape,
    cluster: text(),
    service: optionalText(),
    services: list(),
    "web-mode": webModeShape["web-mode"],
    "key-value-store": webModeShape["key-value-store"],
    /** Report what would be recorded; write nothing. */
    "dry-run": boolean(false),
  }),
);

export type StatusInputs = InputsOf<typeof statusSchema>;

export function parseStatusInputs(raw: RawInputs): StatusInputs {
  const parsed = parseInputs(statusSchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

/** `shipline unlock`. */
export const unlockSchema = inputSchema(
  declaredShape(UNLOCK.inputs, {
    ...ledgerShape,
    /** Remove the lock even though its holder is still renewing it. */
    force: boolean(false),
    "dry-run": boolean(false),
  }),
);

export type UnlockInputs = InputsOf<typeof unlockSchema>;

export function parseUnlockInputs(raw: RawInputs): UnlockInputs {
  const parsed = parseInputs(unlockSchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}
