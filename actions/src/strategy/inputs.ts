import { ConfigurationError } from "../lib/errors";
import {
  input,
  keyValues,
  list,
  optionalParsedWith,
  optionalText,
  parsedWith,
} from "../lib/inputs";
import { type AnalysisConfig, parseAnalysis } from "./analysis-input";
import { type DeliverySettings, deliveryProblems, parseBakeMinutes, parseStrategy } from "./spec";

/** The strategy, rolling when not given. */
const strategyInput = () => {
  const parse = parsedWith(parseStrategy);
  return input((raw, ctx) => parse.check(raw?.trim() ? raw : "rolling", ctx));
};

/** The parsers of DELIVERY_INPUTS, spread into deploy's and deploy-service's schemas. */
export const deliveryShape = () => ({
  strategy: strategyInput(),
  "bake-time": optionalParsedWith(parseBakeMinutes),
  "alternate-target-group": optionalText(),
  "production-listener-rule": optionalText(),
  "test-listener-rule": optionalText(),
  "load-balancer-role": optionalText(),
  alarms: list(),
  analysis: keyValues(),
});

/** What deliveryShape parses. */
export interface DeliveryInputs {
  strategy: ReturnType<typeof parseStrategy>;
  "bake-time": number | undefined;
  "alternate-target-group": string | undefined;
  "production-listener-rule": string | undefined;
  "test-listener-rule": string | undefined;
  "load-balancer-role": string | undefined;
  alarms: string[];
  analysis: Record<string, string>;
}

/** A service's delivery: the strategy and where it moves traffic, and how it is judged. */
export interface Delivery extends DeliverySettings {
  analysis: AnalysisConfig;
}

/** The rolling default: nothing on the service changes, no analysis runs. */
export const ROLLING: Delivery = {
  strategy: { name: "rolling" },
  routing: {},
  analysis: parseAnalysis({}, []),
};

/**
 * The parsed inputs as one Delivery, every problem naming its input (exit 4 before anything
 * changes). `alarms` given empty leaves the service's alarms as they are.
 */
export function deliveryOf(parsed: DeliveryInputs): Delivery {
  const problems: string[] = [];
  const analysis = parseAnalysis(parsed.analysis, problems);
  const settings: DeliverySettings = {
    strategy: parsed.strategy,
    ...(parsed["bake-time"] !== undefined ? { bakeMinutes: parsed["bake-time"] } : {}),
    routing: {
      ...(parsed["alternate-target-group"]
        ? { alternateTargetGroup: parsed["alternate-target-group"] }
        : {}),
      ...(parsed["production-listener-rule"]
        ? { productionListenerRule: parsed["production-listener-rule"] }
        : {}),
      ...(parsed["test-listener-rule"] ? { testListenerRule: parsed["test-listener-rule"] } : {}),
      ...(parsed["load-balancer-role"] ? { role: parsed["load-balancer-role"] } : {}),
    },
    ...(parsed.alarms.length > 0 ? { alarms: parsed.alarms } : {}),
  };
  problems.push(...deliveryProblems(settings));
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return { ...settings, analysis };
}
