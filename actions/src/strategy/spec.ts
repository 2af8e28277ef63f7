import { ConfigurationError, quote } from "../lib/errors";
import { parseDuration } from "../lib/inputs";

/**
 * How a service's new revision takes over: ECS's deployment strategies as shipline names them.
 * `rolling` replaces tasks behind the one target group (the gate judges target health);
 * the others start the new revision in the alternate target group and move the production
 * listener rule's traffic to it: all at once (blue-green), a share first (canary), or in equal
 * steps (linear), each followed by a bake time.
 */
export const STRATEGY_NAMES = ["rolling", "blue-green", "canary", "linear"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export interface StrategySpec {
  name: StrategyName;
  /** canary: the share of production traffic first; linear: each step's share (percent). */
  percent?: number;
  /** canary: minutes before the rest moves; linear: minutes between steps. */
  stepBakeMinutes?: number;
}

/** ECS's own defaults (CanaryConfiguration, LinearConfiguration), used when a part is left out. */
const DEFAULTS = {
  canary: { percent: 5, stepBakeMinutes: 10 },
  linear: { percent: 10, stepBakeMinutes: 6 },
} as const;

/** ECS's bounds: percents are multiples of 0.1; bake times whole minutes up to a day. */
const PERCENT_RANGE = { canary: [0.1, 100], linear: [3, 100] } as const;
export const MAX_BAKE_MINUTES = 1440;

/**
 * A duration in whole minutes, as ECS takes bake times ("5m", "90s" is refused, "0" is none).
 * Throws ConfigurationError naming what is wrong.
 */
export function parseBakeMinutes(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0 || ms % 60_000 !== 0 || ms / 60_000 > MAX_BAKE_MINUTES) {
    throw new ConfigurationError(
      `${quote(value)} must be whole minutes from 0m to ${MAX_BAKE_MINUTES}m (24h), like "5m": ECS bakes in minutes`,
    );
  }
  return ms / 60_000;
}

/**
 * `rolling`, `blue-green`, `canary [PERCENT%] [BAKE]` or `linear [STEP%] [STEP-BAKE]`, e.g.
 * `canary 10% 5m` (10% of production traffic for 5 minutes, then the rest) or `linear 20% 2m`.
 * Parts left out take ECS's defaults (canary 5% 10m, linear 10% 6m).
 */
export function parseStrategy(value: string): StrategySpec {
  // Words, or colons where a line has no room for spaces (a services line: canary:10%:5m).
  const [word = "", ...rest] = value.trim().split(/[\s:]+/);
  const name = word.toLowerCase();
  if (!(STRATEGY_NAMES as readonly string[]).includes(name)) {
    throw new ConfigurationError(
      `${quote(value)} must start with one of ${STRATEGY_NAMES.join(", ")}, e.g. "canary 10% 5m"`,
    );
  }
  if (name === "rolling" || name === "blue-green") {
    if (rest.length > 0) {
      throw new ConfigurationError(
        `${quote(value)}: ${name} takes no percent or bake time (the final bake time is bake-time)`,
      );
    }
    return { name: name as StrategyName };
  }
  const kind = name as "canary" | "linear";
  const percentWord = rest.find((part) => part.endsWith("%"));
  const bakeWord = rest.find((part) => !part.endsWith("%"));
  if (
    rest.length > 2 ||
    rest.filter((part) => part.endsWith("%")).length > 1 ||
    (rest.length === 2 && (!percentWord || !bakeWord))
  ) {
    throw new ConfigurationError(
      `${quote(value)} must be ${kind} [PERCENT%] [${kind === "canary" ? "BAKE" : "STEP-BAKE"}], e.g. "${kind} ${kind === "canary" ? "10% 5m" : "20% 2m"}"`,
    );
  }
  const [min, max] = PERCENT_RANGE[kind];
  let percent: number = DEFAULTS[kind].percent;
  if (percentWord) {
    percent = Number(percentWord.slice(0, -1));
    const tenths = Math.round(percent * 10);
    if (
      !Number.isFinite(percent) ||
      Math.abs(tenths - percent * 10) > 1e-9 ||
      percent < min ||
      percent > max
    ) {
      throw new ConfigurationError(
        `${quote(value)}: ${kind} percent ${quote(percentWord)} must be a multiple of 0.1 from ${min}% to ${max}%`,
      );
    }
  }
  return {
    name: kind,
    percent,
    stepBakeMinutes: bakeWord ? parseBakeMinutes(bakeWord) : DEFAULTS[kind].stepBakeMinutes,
  };
}

/** The text form parseStrategy reads back (for logs, records and the configuration file's input). */
export function formatStrategy(spec: StrategySpec): string {
  if (spec.name === "rolling" || spec.name === "blue-green") return spec.name;
  return `${spec.name} ${spec.percent}% ${spec.stepBakeMinutes}m`;
}

/**
 * Minutes a deployment of the strategy spends baking by design: the canary's bake, each linear
 * step's but the last, and the final bake time. The follower's deadline is the gate's timeout
 * plus these, so a long bake is never mistaken for a stuck deployment.
 */
export function plannedBakeMinutes(spec: StrategySpec, finalBakeMinutes: number): number {
  const step = spec.stepBakeMinutes ?? 0;
  const steps =
    spec.name === "canary"
      ? 1
      : spec.name === "linear"
        ? Math.max(0, Math.ceil(100 / (spec.percent ?? 100)) - 1)
        : 0;
  return steps * step + finalBakeMinutes;
}

/** Where a non-rolling strategy moves traffic: the service's alternate target group and rules. */
export interface TrafficRouting {
  alternateTargetGroup?: string;
  productionListenerRule?: string;
  testListenerRule?: string;
  /** The ECS infrastructure role that lets ECS change the listener rules. */
  role?: string;
}

/** A service's whole progressive-delivery settings, validated. */
export interface DeliverySettings {
  strategy: StrategySpec;
  /** Minutes ECS keeps the old revision after all traffic moved; undefined leaves the service's. */
  bakeMinutes?: number;
  routing: TrafficRouting;
  /** The user's CloudWatch alarms ECS watches (rollback on); undefined leaves the service's. */
  alarms?: string[];
}

const ARN = {
  alternateTargetGroup: /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:targetgroup\/.+/,
  productionListenerRule: /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:listener-rule\/.+/,
  testListenerRule: /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:listener-rule\/.+/,
  role: /^arn:aws[a-z-]*:iam::\d*:role\/.+/,
} as const;

/** The input each routing part comes from, for messages. */
export const ROUTING_INPUTS: Record<keyof TrafficRouting, string> = {
  alternateTargetGroup: "alternate-target-group",
  productionListenerRule: "production-listener-rule",
  testListenerRule: "test-listener-rule",
  role: "load-balancer-role",
};

/**
 * Every problem of the settings, each naming its input: a non-rolling strategy needs the
 * alternate target group, the production listener rule and the role (ECS moves traffic with
 * it); ARNs must be of the right kind. Empty when they are fine.
 */
export function deliveryProblems(settings: DeliverySettings): string[] {
  const problems: string[] = [];
  const { routing } = settings;
  for (const key of Object.keys(ARN) as (keyof TrafficRouting)[]) {
    const value = routing[key];
    if (value !== undefined && !ARN[key].test(value)) {
      problems.push(
        `input "${ROUTING_INPUTS[key]}" must be ${key === "role" ? "an IAM role ARN" : key === "alternateTargetGroup" ? "a target group ARN" : "a listener rule ARN"}, got ${quote(value)}`,
      );
    }
  }
  if (settings.strategy.name !== "rolling") {
    for (const key of ["alternateTargetGroup", "productionListenerRule", "role"] as const) {
      if (!routing[key]) {
        problems.push(
          `input "${ROUTING_INPUTS[key]}" is required with strategy ${settings.strategy.name} (ECS moves traffic between the service's target group and the alternate one through the production listener rule)`,
        );
      }
    }
  }
  for (const name of settings.alarms ?? []) {
    if (!/^[^\r\n]{1,255}$/.test(name)) {
      problems.push(
        `input "alarms": ${quote(name)} is not a CloudWatch alarm name (1–255 characters)`,
      );
    }
  }
  return problems;
}
