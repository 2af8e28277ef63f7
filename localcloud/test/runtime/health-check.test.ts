import { describe, expect, it } from "vitest";
import type { ExecResult } from "../../src/runtime/container";
import {
  type HealthStatus,
  healthCheckArgs,
  startHealthCheck,
} from "../../src/runtime/health-check";

/** A container whose check results are scripted, one per call; failures once the script ends. */
function scripted(results: number[]) {
  const calls: string[][] = [];
  return {
    calls,
    async exec(args: string[]): Promise<ExecResult> {
      calls.push(args);
      const exitCode = results.shift() ?? 1;
      return { exitCode, output: `exit ${exitCode}`, timedOut: false };
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("health checks", () => {
  it("maps CMD and CMD-SHELL to the process to run", () => {
    expect(healthCheckArgs(["CMD-SHELL", "curl -f http://localhost/ || exit 1"])).toEqual([
      "/bin/sh",
      "-c",
      "curl -f http://localhost/ || exit 1",
    ]);
    expect(healthCheckArgs(["CMD", "/bin/check", "--fast"])).toEqual(["/bin/check", "--fast"]);
    expect(() => healthCheckArgs(["NONE"])).toThrow("must start with CMD or CMD-SHELL");
  });

  it("needs `retries` consecutive failures to turn UNHEALTHY; one success resets them", async () => {
    const container = scripted([1, 0, 1, 1, 1]);
    const seen: HealthStatus[] = [];
    const monitor = startHealthCheck(
      container,
      { command: ["CMD", "check"], interval: 0.01, retries: 3 },
      (status) => seen.push(status),
    );
    await until(() => monitor.status() === "UNHEALTHY");
    monitor.stop();
    expect(seen).toEqual(["HEALTHY", "UNHEALTHY"]);
    expect(container.calls).toHaveLength(5);
    expect(monitor.lastOutput()).toBe("exit 1");
  });

  it("does not count failures during the start period", async () => {
    const container = scripted([]);
    const monitor = startHealthCheck(container, {
      command: ["CMD", "check"],
      interval: 0.01,
      retries: 1,
      startPeriod: 0.2,
    });
    await until(() => container.calls.length >= 3);
    expect(monitor.status()).toBe("UNKNOWN");
    await until(() => monitor.status() === "UNHEALTHY");
    monitor.stop();
  });
});
