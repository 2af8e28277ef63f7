import * as z from "zod/mini";
import {
  boolean,
  duration,
  integer,
  keyValues,
  list,
  optionalText,
  parseInputs,
  type RawInputs,
  text,
  textWithDefault,
} from "../lib/inputs";
import { DEFAULT_LEDGER_PREFIX, normalizePrefix } from "../web/ledger-keys";

/** Inputs every command on an environment's ledger shares (keys as in the config file). */
export const ledgerShape = {
  config: optionalText(),
  environment: text(),
  bucket: text(),
  "ledger-prefix": textWithDefault(DEFAULT_LEDGER_PREFIX),
  region: optionalText(),
};

export const historySchema = z.object({
  ...ledgerShape,
  limit: integer(20, { min: 1, max: 1000 }),
});

export type HistoryInputs = z.output<typeof historySchema>;

export function parseHistoryInputs(raw: RawInputs): HistoryInputs {
  const parsed = parseInputs(historySchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

/** Settings deploy and rollback share (service gate, web, lock), keyed like the config file. */
const releaseShape = {
  ...ledgerShape,
  cluster: text(),
  service: text(),
  "distribution-id": list(),
  url: optionalText(),
  "gate-timeout": duration(15 * 60_000),
  "gate-interval": duration(5_000),
  "healthy-polls": integer(3, { min: 1, max: 100 }),
  "grace-period": optionalText(),
  "keep-releases": integer(3, { min: 0, max: 100 }),
  "lock-ttl": duration(30 * 60_000),
  "release-id": optionalText(),
  "wait-invalidation": boolean(false),
};

export const deploySchema = z.object({
  ...releaseShape,
  /** NAME=REPOSITORY lines: the containers whose images are built (from the config file). */
  containers: keyValues(),
  /** container=registry/repository@sha256:… lines: images built earlier, used as they are. */
  images: list(),
  source: textWithDefault("app-web/dist"),
  "keep-revisions": integer(5, { min: 0, max: 1000 }),
  "migration-command": optionalText(),
  /** container:NAME lines: variables set to the release id in the new task definition. */
  "release-env": list(),
  /** container:NAME=value lines: variables set in the new task definition. */
  "container-env": list(),
});

export const rollbackSchema = z.object({
  ...releaseShape,
  /** previous, release (then `release` names it), or a release id. */
  to: textWithDefault("previous"),
  release: optionalText(),
});

export type DeployInputs = z.output<typeof deploySchema>;
export type RollbackInputs = z.output<typeof rollbackSchema>;

export function parseDeployInputs(raw: RawInputs): DeployInputs {
  const parsed = parseInputs(deploySchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

export function parseRollbackInputs(raw: RawInputs): RollbackInputs {
  const parsed = parseInputs(rollbackSchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}
