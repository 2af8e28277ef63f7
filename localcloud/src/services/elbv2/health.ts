import type { HealthCheck, Target } from "./model";

/** Target states and reason codes exactly as DescribeTargetHealth names them. */
export type TargetState =
  | "initial"
  | "healthy"
  | "unhealthy"
  | "draining"
  | "unused"
  | "unavailable";

export interface TargetHealth {
  State: TargetState;
  Reason?: string;
  Description?: string;
}

/** The result of one health check probe. */
export type ProbeResult =
  | { ok: true; status: number }
  | { ok: false; kind: "status"; status: number }
  | { ok: false; kind: "timeout" }
  | { ok: false; kind: "connection"; message: string };

/** What the checker remembers about one registered target. */
export interface TargetRecord {
  target: Target;
  health: TargetHealth;
  consecutiveOk: number;
  consecutiveFail: number;
  /** Set while draining: when the target is finally removed. */
  drainUntil?: number;
}

export const initialRecord = (target: Target): TargetRecord => ({
  target,
  health: {
    State: "initial",
    Reason: "Elb.RegistrationInProgress",
    Description: "Target registration is in progress",
  },
  consecutiveOk: 0,
  consecutiveFail: 0,
});

/**
 * Applies one probe result to a target's health. As AWS documents it: a newly registered
 * target needs one passing check to become healthy; a healthy one needs `UnhealthyThresholdCount`
 * consecutive failures to become unhealthy, and an unhealthy one `HealthyThresholdCount`
 * consecutive successes to recover.
 */
export const applyProbe = (
  record: TargetRecord,
  result: ProbeResult,
  check: HealthCheck,
): TargetRecord => {
  if (record.health.State === "draining" || record.health.State === "unused") return record;
  const consecutiveOk = result.ok ? record.consecutiveOk + 1 : 0;
  const consecutiveFail = result.ok ? 0 : record.consecutiveFail + 1;
  const next = { ...record, consecutiveOk, consecutiveFail };
  const state = record.health.State;

  if (result.ok) {
    const needed = state === "unhealthy" ? check.HealthyThresholdCount : 1;
    if (consecutiveOk >= needed) return { ...next, health: { State: "healthy" } };
    return next;
  }
  if (state === "healthy" && consecutiveFail < check.UnhealthyThresholdCount) return next;
  if (state === "initial" && consecutiveFail < check.UnhealthyThresholdCount) {
    return {
      ...next,
      health: {
        State: "initial",
        Reason: "Elb.InitialHealthChecking",
        Description: "Initial health checks in progress",
      },
    };
  }
  return { ...next, health: unhealthyFrom(result) };
};

const unhealthyFrom = (result: Exclude<ProbeResult, { ok: true }>): TargetHealth => {
  switch (result.kind) {
    case "status":
      return {
        State: "unhealthy",
        Reason: "Target.ResponseCodeMismatch",
        Description: `Health checks failed with these codes: [${result.status}]`,
      };
    case "timeout":
      return { State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out" };
    case "connection":
      return {
        State: "unhealthy",
        Reason: "Target.FailedHealthChecks",
        Description: "Health checks failed",
      };
  }
};

/** Parses a matcher like "200", "200,302" or "200-299" into a predicate. */
export const matcher = (httpCode: string): ((status: number) => boolean) => {
  const parts = httpCode.split(",").map((part) => part.trim());
  return (status) =>
    parts.some((part) => {
      const [low, high] = part.split("-").map(Number);
      return high === undefined ? status === low : status >= (low ?? 0) && status <= high;
    });
};

/** One real HTTP health check from the host to a target. */
export const probe = async (
  target: Target,
  check: HealthCheck,
  host: (ip: string) => string = (ip) => ip,
): Promise<ProbeResult> => {
  const port =
    check.HealthCheckPort === "traffic-port" ? target.Port : Number(check.HealthCheckPort);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), check.HealthCheckTimeoutSeconds * 1000);
  try {
    const response = await fetch(`http://${host(target.Id)}:${port}${check.HealthCheckPath}`, {
      signal: controller.signal,
      headers: { "user-agent": "ELB-HealthChecker/2.0", connection: "close" },
    });
    await response.arrayBuffer().catch(() => undefined);
    return matcher(check.Matcher.HttpCode)(response.status)
      ? { ok: true, status: response.status }
      : { ok: false, kind: "status", status: response.status };
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, kind: "timeout" };
    return { ok: false, kind: "connection", message: String(error) };
  } finally {
    clearTimeout(timer);
  }
};
