import { BlockList, isIP } from "node:net";
import { wildcardMatcher } from "../wildcard";

/**
 * The Condition element of a policy statement, evaluated as IAM documents it (IAM User Guide,
 * "IAM JSON policy elements: Condition operators"): every operator and every key in a block must
 * hold (AND), any of a key's values may match (OR), key names ignore case.
 */

/** The operator families of IAM's grammar; `Not` forms hold when no policy value matches. */
const OPERATORS = {
  StringEquals: { family: "string", negated: false },
  StringNotEquals: { family: "string", negated: true },
  StringEqualsIgnoreCase: { family: "stringIgnoreCase", negated: false },
  StringNotEqualsIgnoreCase: { family: "stringIgnoreCase", negated: true },
  StringLike: { family: "stringLike", negated: false },
  StringNotLike: { family: "stringLike", negated: true },
  NumericEquals: { family: "numericEquals", negated: false },
  NumericNotEquals: { family: "numericEquals", negated: true },
  NumericLessThan: { family: "numericLessThan", negated: false },
  NumericLessThanEquals: { family: "numericLessThanEquals", negated: false },
  NumericGreaterThan: { family: "numericGreaterThan", negated: false },
  NumericGreaterThanEquals: { family: "numericGreaterThanEquals", negated: false },
  DateEquals: { family: "dateEquals", negated: false },
  DateNotEquals: { family: "dateEquals", negated: true },
  DateLessThan: { family: "dateLessThan", negated: false },
  DateLessThanEquals: { family: "dateLessThanEquals", negated: false },
  DateGreaterThan: { family: "dateGreaterThan", negated: false },
  DateGreaterThanEquals: { family: "dateGreaterThanEquals", negated: false },
  Bool: { family: "bool", negated: false },
  BinaryEquals: { family: "binary", negated: false },
  IpAddress: { family: "ip", negated: false },
  NotIpAddress: { family: "ip", negated: true },
  ArnEquals: { family: "arn", negated: false },
  ArnLike: { family: "arn", negated: false },
  ArnNotEquals: { family: "arn", negated: true },
  ArnNotLike: { family: "arn", negated: true },
  Null: { family: "null", negated: false },
} as const;

type Family = (typeof OPERATORS)[keyof typeof OPERATORS]["family"];

export interface ConditionOperator {
  name: string;
  family: Family;
  negated: boolean;
  ifExists: boolean;
  set?: "ForAllValues" | "ForAnyValue";
}

const BY_LOWER_NAME = new Map(
  Object.entries(OPERATORS).map(([name, spec]) => [name.toLowerCase(), { name, ...spec }]),
);

/**
 * Reads an operator name as IAM's grammar writes it: `[ForAllValues:|ForAnyValue:]` + operator
 * + `[IfExists]` (not on Null). Undefined for a name that is not an IAM condition operator.
 */
export const conditionOperator = (written: string): ConditionOperator | undefined => {
  const match = /^(?:(forallvalues|foranyvalue):)?(.+?)(ifexists)?$/i.exec(written);
  if (!match) return undefined;
  const [, set, base = "", ifExists] = match;
  const spec = BY_LOWER_NAME.get(base.toLowerCase());
  if (!spec || (spec.family === "null" && ifExists)) return undefined;
  return {
    name: spec.name,
    family: spec.family,
    negated: spec.negated,
    ifExists: ifExists !== undefined,
    ...(set ? { set: set.toLowerCase() === "forallvalues" ? "ForAllValues" : "ForAnyValue" } : {}),
  };
};

/**
 * What a request's context holds. `present`: the keys with their values; `absent`: keys
 * localcloud knows this request does not carry. Any other key is one localcloud cannot know.
 */
export interface RequestContext {
  present: Record<string, string[]>;
  absent: string[];
}

/** A condition's outcome; `unknown` when it names a key localcloud cannot know for the request. */
export type Outcome = "holds" | "fails" | "unknown";

export type ConditionBlock = Record<string, Record<string, unknown>>;

/** Every operator and key must hold: one failing decides; else one unknown leaves it unknown. */
export const evaluateConditions = (
  block: ConditionBlock | undefined,
  context: RequestContext,
): Outcome => {
  const present = new Map(Object.entries(context.present).map(([k, v]) => [k.toLowerCase(), v]));
  const absent = new Set(context.absent.map((key) => key.toLowerCase()));
  let unknown = false;
  for (const [written, entries] of Object.entries(block ?? {})) {
    const operator = conditionOperator(written);
    if (!operator) return "fails";
    for (const [key, expected] of Object.entries(entries)) {
      const name = key.toLowerCase();
      const values = present.get(name);
      const outcome = values
        ? onPresentKey(operator, values, policyValues(expected))
        : absent.has(name)
          ? onMissingKey(operator, policyValues(expected))
          : "unknown";
      if (outcome === "fails") return "fails";
      if (outcome === "unknown") unknown = true;
    }
  }
  return unknown ? "unknown" : "holds";
};

const policyValues = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map((item) => String(item));

/**
 * IAM's rule for a key missing from the request context: the values do not match, so a
 * positive operator fails and a negated one (`StringNotEquals`, `ArnNotLike`, ...) holds;
 * `...IfExists` holds; `Null` holds when it asks for the key to be absent ("true");
 * `ForAllValues` holds (no value fails it), `ForAnyValue` fails (no value matches).
 */
const onMissingKey = (operator: ConditionOperator, expected: string[]): Outcome => {
  if (operator.family === "null") return expected.some(isTrue) ? "holds" : "fails";
  if (operator.ifExists) return "holds";
  if (operator.set === "ForAllValues") return "holds";
  if (operator.set === "ForAnyValue") return "fails";
  return operator.negated ? "holds" : "fails";
};

const onPresentKey = (
  operator: ConditionOperator,
  values: string[],
  expected: string[],
): Outcome => {
  if (operator.family === "null") return expected.some(isTrue) ? "fails" : "holds";
  const matcher = MATCHERS[operator.family];
  const valueHolds = (value: string) => {
    const matched = expected.some((pattern) => matcher(value, pattern));
    return operator.negated ? !matched : matched;
  };
  const holds =
    operator.set === "ForAllValues" ? values.every(valueHolds) : values.some(valueHolds);
  return holds ? "holds" : "fails";
};

const isTrue = (value: string) => value.toLowerCase() === "true";

const number = (value: string) => (value.trim() === "" ? Number.NaN : Number(value));

/** Dates as IAM takes them: ISO 8601, or epoch seconds. */
const date = (value: string) =>
  /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value.trim());

const compare = (
  parse: (value: string) => number,
  test: (actual: number, expected: number) => boolean,
) => {
  return (actual: string, expected: string) => {
    const a = parse(actual);
    const e = parse(expected);
    return !Number.isNaN(a) && !Number.isNaN(e) && test(a, e);
  };
};

/** ARNs: each of the six colon-separated parts matched on its own, wildcards allowed. */
const arnMatches = (actual: string, pattern: string): boolean => {
  const parts = (arn: string) => {
    const split = arn.split(":");
    return split.length < 6 ? undefined : [...split.slice(0, 5), split.slice(5).join(":")];
  };
  const a = parts(actual);
  const p = parts(pattern);
  if (!a || !p) return false;
  return p.every((part, index) => wildcardMatcher(part)(a[index] ?? ""));
};

const ipMatches = (actual: string, cidr: string): boolean => {
  const [address = "", bits] = cidr.split("/");
  const family = isIP(address) === 6 ? "ipv6" : isIP(address) === 4 ? "ipv4" : undefined;
  if (!family || isIP(actual) === 0) return false;
  const list = new BlockList();
  list.addSubnet(
    address,
    bits === undefined ? (family === "ipv4" ? 32 : 128) : Number(bits),
    family,
  );
  return list.check(actual, isIP(actual) === 6 ? "ipv6" : "ipv4");
};

const MATCHERS: Record<Exclude<Family, "null">, (actual: string, expected: string) => boolean> = {
  string: (actual, expected) => actual === expected,
  stringIgnoreCase: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
  stringLike: (actual, expected) => wildcardMatcher(expected)(actual),
  numericEquals: compare(number, (a, e) => a === e),
  numericLessThan: compare(number, (a, e) => a < e),
  numericLessThanEquals: compare(number, (a, e) => a <= e),
  numericGreaterThan: compare(number, (a, e) => a > e),
  numericGreaterThanEquals: compare(number, (a, e) => a >= e),
  dateEquals: compare(date, (a, e) => a === e),
  dateLessThan: compare(date, (a, e) => a < e),
  dateLessThanEquals: compare(date, (a, e) => a <= e),
  dateGreaterThan: compare(date, (a, e) => a > e),
  dateGreaterThanEquals: compare(date, (a, e) => a >= e),
  bool: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
  binary: (actual, expected) => actual === expected,
  ip: ipMatches,
  arn: arnMatches,
};
