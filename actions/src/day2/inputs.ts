import { normalizePrefix } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  duration,
  type InputsOf,
  inputSchema,
  integer,
  optionalDuration,
  optionalText,
  parsedWith,
  parseInputs,
  type RawInputs,
  text,
} from "../lib/inputs";
import { ledgerShape } from "../release/inputs";
import { DURATION_LIMITS } from "../release/limits";
import { LOGS, REDEPLOY, RUN, SCALE } from "./declarations";

/** ECS's quota of tasks per service: a larger desired count is refused by ECS, so by us first. */
export const MAX_TASKS_PER_SERVICE = 5000;

const changeShape = {
  ...ledgerShape,
  cluster: text(),
  service: text(),
  "gate-timeout": duration(15 * 60_000, DURATION_LIMITS["gate-timeout"]),
  "gate-interval": duration(5_000, DURATION_LIMITS["gate-interval"]),
  "healthy-polls": integer(3, { min: 1, max: 100 }),
  "grace-period": optionalDuration(DURATION_LIMITS["grace-period"]),
  "lock-ttl": duration(30 * 60_000, DURATION_LIMITS["lock-ttl"]),
  "dry-run": boolean(false),
};

const whereShape = {
  config: optionalText(),
  environment: text(),
  region: optionalText(),
  cluster: text(),
  service: text(),
};

export const redeploySchema = inputSchema(declaredShape(REDEPLOY.inputs, changeShape));

function taskCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count > MAX_TASKS_PER_SERVICE) {
    throw new ConfigurationError(
      `must be a whole number of tasks from 0 to ${MAX_TASKS_PER_SERVICE}, got ${quote(value)}`,
    );
  }
  return count;
}

export const scaleSchema = inputSchema(
  declaredShape(SCALE.inputs, { ...changeShape, count: parsedWith(taskCount) }),
);

export const runSchema = inputSchema(
  declaredShape(RUN.inputs, {
    ...whereShape,
    container: optionalText(),
    timeout: duration(30 * 60_000, { minMs: 1_000, maxMs: 24 * 3_600_000 }),
    "dry-run": boolean(false),
  }),
);

/** How far back `logs` starts: a duration up to CloudWatch Logs' longest retention (10 years). */
const SINCE_LIMITS = { minMs: 1_000, maxMs: 10 * 366 * 24 * 3_600_000 };

export const logsSchema = inputSchema(
  declaredShape(LOGS.inputs, {
    ...whereShape,
    since: duration(10 * 60_000, SINCE_LIMITS),
    follow: boolean(false),
    container: optionalText(),
  }),
);

export type RedeployInputs = InputsOf<typeof redeploySchema>;
export type ScaleInputs = InputsOf<typeof scaleSchema>;
export type RunInputs = InputsOf<typeof runSchema> & { command: string[] };
export type LogsInputs = InputsOf<typeof logsSchema>;
/** What the service-changing commands share. */
export type ChangeInputs = RedeployInputs;

export function parseRedeployInputs(raw: RawInputs): RedeployInputs {
  const parsed = parseInputs(redeploySchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

export function parseScaleInputs(raw: RawInputs): ScaleInputs {
  const parsed = parseInputs(scaleSchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}

/** The command comes after `--`: one word or more, the first not empty. */
export function parseRunInputs(raw: RawInputs, command: string[]): RunInputs {
  const parsed = parseInputs(runSchema, raw);
  if (command.length === 0 || !command[0]?.trim()) {
    throw new ConfigurationError(
      'input "command" is required: give it after "--", e.g. shipline run -- node migrate.mjs',
    );
  }
  return { ...parsed, command };
}

export function parseLogsInputs(raw: RawInputs): LogsInputs {
  return parseInputs(logsSchema, raw);
}
