import { ConfigurationError, quote } from "./errors";

/*
 * The input parsers every unit's schema is made of. Plain functions rather than a schema
 * library: validating inputs is the whole of a run that rejects them, and these few helpers
 * load in a fraction of the time zod's core takes to start (see bench/startup).
 */

/**
 * Raw inputs as strings, keyed like action.yml: what `core.getInput` returns (""
 * when unset) or what a CLI flag carried. Each unit validates them once with `parseInputs`.
 */
export type RawInputs = Record<string, string | undefined>;

/** What a parser is handed besides the value: where it records the input's problems. */
export interface InputContext {
  /** The value being parsed. */
  readonly value: unknown;
  /** Problems found so far; any problem makes the input invalid. */
  readonly issues: string[];
}

/**
 * One input's parser: raw text (undefined when not given) → typed value. Problems are recorded
 * in the context; the value returned alongside them is never used.
 */
export interface Input<T> {
  readonly check: (raw: string | undefined, ctx: InputContext) => T;
  /** The value, or a ConfigurationError listing the input's problems (tests, one-off checks). */
  parse(raw: string | undefined): T;
}

/** A unit's inputs: one parser per declared name (see `declaredShape`). */
export type InputShape = Record<string, Input<unknown>>;

export interface InputSchema<S extends InputShape = InputShape> {
  readonly shape: S;
}

/** The typed inputs a schema's parsers produce. */
export type InputsOf<T extends InputSchema> = {
  [K in keyof T["shape"]]: T["shape"][K] extends Input<infer V> ? V : never;
};

/** A unit's schema: its parsers by input name. */
export function inputSchema<S extends InputShape>(shape: S): InputSchema<S> {
  return { shape };
}

/** Trimmed raw value; "" and undefined both mean "not given". */
function given(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** Records a problem with the input; the value returned alongside is never used. */
export function addProblem(ctx: InputContext, message: string): void {
  ctx.issues.push(message);
}

function fail(ctx: InputContext, message: string): never {
  addProblem(ctx, message);
  // Never read: the input has a problem, so parseInputs throws before using any value.
  return undefined as never;
}

/** An optional raw string, turned into a value by `convert`. */
export function input<T>(convert: (raw: string | undefined, ctx: InputContext) => T): Input<T> {
  const check = (raw: string | undefined, ctx: InputContext): T => {
    if (raw !== undefined && typeof raw !== "string") {
      return fail(ctx, `must be text, got ${quote(raw)}`);
    }
    return convert(raw, ctx);
  };
  return {
    check,
    parse(raw) {
      const ctx: InputContext = { value: raw, issues: [] };
      const value = check(raw, ctx);
      if (ctx.issues.length > 0) throw new ConfigurationError(ctx.issues.join("\n"));
      return value;
    },
  };
}

/** A parser followed by a further check or conversion, which runs only when the first found no problem. */
export function pipe<T, U>(first: Input<T>, then: (value: T, ctx: InputContext) => U): Input<U> {
  return input((raw, ctx) => {
    const value = first.check(raw, ctx);
    if (ctx.issues.length > 0) return undefined as never;
    return then(value, { value, issues: ctx.issues });
  });
}

/** A required string. */
export function text(): Input<string> {
  return input((raw, ctx) => given(raw) ?? fail(ctx, "is required"));
}

/** An optional string: undefined when not given. */
export function optionalText(): Input<string | undefined> {
  return input((raw) => given(raw));
}

/** A string with a default. */
export function textWithDefault(fallback: string): Input<string> {
  return input((raw) => given(raw) ?? fallback);
}

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

/** true/false (also yes/no, on/off, 1/0), case-insensitive. */
export function boolean(fallback: boolean): Input<boolean> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    return fail(ctx, `must be true or false, got ${quote(value)}`);
  });
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "90s", "5m", "1h30m", "250ms" or a bare number of seconds into milliseconds. */
export function parseDuration(value: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== value) return undefined;
  return parts.reduce(
    (total, [, amount, unit]) => total + Number(amount) * (DURATION_UNITS[unit ?? ""] ?? 0),
    0,
  );
}

/** Milliseconds as the shortest duration text that says it ("90s", "1m30s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0 || ms === 0) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms / 1000;
  for (const [unit, size] of [
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return parts.join("");
}

/**
 * A duration in milliseconds, optionally within bounds: a poll interval of 0 would spin, a lock
 * that expires at once is no lock.
 */
export function duration(
  fallbackMs: number,
  bounds: { minMs?: number; maxMs?: number } = {},
): Input<number> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return fallbackMs;
    const ms = parseDuration(value);
    if (ms === undefined) {
      return fail(ctx, `must be a duration like "30s", "5m" or "1h", got ${quote(value)}`);
    }
    const { minMs = 0, maxMs = Number.POSITIVE_INFINITY } = bounds;
    if (ms < minMs || ms > maxMs) {
      return fail(ctx, `must be a duration ${durationRange(bounds)}, got ${quote(value)}`);
    }
    return ms;
  });
}

/** "from 1m to 24h" (or "at least 1m"), for messages and descriptions. */
export function durationRange({
  minMs = 0,
  maxMs = Number.POSITIVE_INFINITY,
}: {
  minMs?: number;
  maxMs?: number;
}): string {
  return maxMs === Number.POSITIVE_INFINITY
    ? `at least ${formatDuration(minMs)}`
    : `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
}

/** Like duration, but undefined when not given (e.g. "use the service's own setting"). */
export function optionalDuration(
  bounds: { minMs?: number; maxMs?: number } = {},
): Input<number | undefined> {
  const checked = duration(Number.NaN, bounds);
  return input((raw, ctx) => {
    if (given(raw) === undefined) return undefined;
    const problems: InputContext = { value: raw, issues: [] };
    const ms = checked.check(raw, problems);
    if (problems.issues.length > 0) return fail(ctx, problems.issues[0] ?? "is not valid");
    return ms;
  });
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

/** Parses "16777216", "16MiB", "6 MiB", "64MB" into bytes (KiB/MiB/GiB binary, KB/MB/GB decimal). */
export function parseByteSize(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value);
  const factor = SIZE_UNITS[(match?.[2] || "b").toLowerCase()];
  if (!match || factor === undefined) return undefined;
  const bytes = Number(match[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const formatMiB = (bytes: number) => `${bytes / 1024 ** 2} MiB`;

/** A size in bytes, given in bytes or with a unit; `min` says why it is the least. */
export function byteSize(fallback: number, min: { bytes: number; why: string }): Input<number> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return fallback;
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      return fail(ctx, `must be a size like "16MiB" or a number of bytes, got ${quote(value)}`);
    }
    if (bytes < min.bytes) {
      return fail(
        ctx,
        `must be at least ${formatMiB(min.bytes)} (${min.why}), got ${quote(value)}`,
      );
    }
    return bytes;
  });
}

/** A whole number within bounds. */
export function integer(
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): Input<number> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return fallback;
    const number = Number(value);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
    if (!/^-?\d+$/.test(value) || number < min || number > max) {
      return fail(ctx, `must be a whole number from ${min} to ${max}, got ${quote(value)}`);
    }
    return number;
  });
}

/** Items separated by newlines or commas, trimmed, empties dropped (YAML block scalars work). */
export function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function list(): Input<string[]> {
  return input((raw) => splitList(raw));
}

/** One of a fixed set of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  choices: T,
  fallback: T[number],
): Input<T[number]> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T[number];
    return fail(ctx, `must be one of ${choices.join(", ")}, got ${quote(value)}`);
  });
}

/** KEY=VALUE lines (newline separated, so values may contain commas) into an ordered record. */
export function keyValues(): Input<Record<string, string>> {
  return input((raw, ctx) => {
    const result: Record<string, string> = {};
    for (const line of (raw ?? "").split("\n")) {
      const entry = line.trim();
      if (!entry) continue;
      const equals = entry.indexOf("=");
      if (equals <= 0) return fail(ctx, `must be KEY=VALUE lines, got ${quote(entry)}`);
      result[entry.slice(0, equals).trim()] = entry.slice(equals + 1);
    }
    return result;
  });
}

/**
 * Any value checked by a parse function that throws ConfigurationError (e.g. an image reference):
 * the function's message becomes the input's message.
 */
export function parsedWith<T>(parse: (value: string) => T): Input<T> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return fail(ctx, "is required");
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof ConfigurationError) return fail(ctx, error.message);
      throw error;
    }
  });
}

/** Like parsedWith, but undefined when the input is not given. */
export function optionalParsedWith<T>(parse: (value: string) => T): Input<T | undefined> {
  return input((raw, ctx) => {
    const value = given(raw);
    if (value === undefined) return undefined;
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof ConfigurationError) return fail(ctx, error.message);
      throw error;
    }
  });
}

/**
 * Validates raw inputs against a schema of the helpers above. Every problem is reported at once,
 * each naming its input, in one ConfigurationError; inputs the schema does not declare are left
 * out of the result.
 */
export function parseInputs<S extends InputSchema>(schema: S, raw: RawInputs): InputsOf<S> {
  const parsed: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, parser] of Object.entries(schema.shape)) {
    const ctx: InputContext = { value: raw[name], issues: [] };
    const value = parser.check(raw[name], ctx);
    // An input neither given nor defaulted is absent from the result, not present as undefined.
    if (value !== undefined || name in raw) parsed[name] = value;
    for (const issue of ctx.issues) problems.push(`input "${name}" ${issue}`);
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return parsed as InputsOf<S>;
}

/** The input names a schema declares, for readers that fetch them one by one (core.getInput). */
export function inputNames(schema: InputSchema): string[] {
  return Object.keys(schema.shape);
}
