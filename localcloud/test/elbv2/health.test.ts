import { describe, expect, it } from "vitest";
import {
  applyProbe,
  initialRecord,
  matcher,
  type ProbeResult,
  type TargetRecord,
} from "../../src/services/elbv2/health";
import { TARGET_GROUP_DEFAULTS } from "../../src/services/elbv2/model";

const check = { ...TARGET_GROUP_DEFAULTS, HealthyThresholdCount: 3, UnhealthyThresholdCount: 2 };
const ok: ProbeResult = { ok: true, status: 200 };
const bad: ProbeResult = { ok: false, kind: "status", status: 503 };
const timeout: ProbeResult = { ok: false, kind: "timeout" };
const refused: ProbeResult = { ok: false, kind: "connection", message: "ECONNREFUSED" };

const run = (
  results: ProbeResult[],
  start: TargetRecord = initialRecord({ Id: "198.18.0.2", Port: 8080 }),
) => results.reduce((record, result) => applyProbe(record, result, check), start);

describe("target health transitions", () => {
  it.each([
    { name: "a new target passes one check", probes: [ok], state: "healthy", reason: undefined },
    {
      name: "a new target failing once is still initial",
      probes: [bad],
      state: "initial",
      reason: "Elb.InitialHealthChecking",
    },
    {
      name: "a new target failing the threshold",
      probes: [bad, bad],
      state: "unhealthy",
      reason: "Target.ResponseCodeMismatch",
    },
    { name: "healthy, one failure", probes: [ok, bad], state: "healthy", reason: undefined },
    {
      name: "healthy, threshold failures (timeout)",
      probes: [ok, timeout, timeout],
      state: "unhealthy",
      reason: "Target.Timeout",
    },
    {
      name: "connection refused",
      probes: [refused, refused],
      state: "unhealthy",
      reason: "Target.FailedHealthChecks",
    },
    {
      name: "unhealthy needs the healthy threshold",
      probes: [bad, bad, ok, ok],
      state: "unhealthy",
      reason: "Target.ResponseCodeMismatch",
    },
    {
      name: "unhealthy recovers",
      probes: [bad, bad, ok, ok, ok],
      state: "healthy",
      reason: undefined,
    },
    {
      name: "a failure resets the success streak",
      probes: [bad, bad, ok, ok, bad, ok, ok],
      state: "unhealthy",
      reason: "Target.ResponseCodeMismatch",
    },
  ])("$name → $state", ({ probes, state, reason }) => {
    const record = run(probes);
    expect(record.health.State).toBe(state);
    expect(record.health.Reason).toBe(reason);
  });

  it("names the failing status code as AWS does", () => {
    expect(run([bad, bad]).health.Description).toBe("Health checks failed with these codes: [503]");
  });

  it("leaves a draining target alone", () => {
    const draining: TargetRecord = {
      ...initialRecord({ Id: "198.18.0.2", Port: 80 }),
      health: { State: "draining", Reason: "Target.DeregistrationInProgress" },
    };
    expect(run([ok, ok], draining).health.State).toBe("draining");
  });
});

describe("matcher", () => {
  it.each([
    ["200", 200, true],
    ["200", 204, false],
    ["200,302", 302, true],
    ["200-299", 204, true],
    ["200-299", 301, false],
  ] as const)("%s matches %i: %s", (code, status, expected) => {
    expect(matcher(code)(status)).toBe(expected);
  });
});
