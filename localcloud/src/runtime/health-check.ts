import type { ExecResult } from "./container";

/** A container health check as an ECS task definition gives it (times in seconds). */
export interface HealthCheckSpec {
  /** ["CMD", prog, ...args] or ["CMD-SHELL", "command line"]. */
  command: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

/** ECS's container health statuses. */
export type HealthStatus = "UNKNOWN" | "HEALTHY" | "UNHEALTHY";

export interface HealthMonitor {
  status(): HealthStatus;
  /** Output of the most recent check, for diagnosis. */
  lastOutput(): string;
  stop(): void;
}

interface Execs {
  exec(args: string[], timeoutMs: number): Promise<ExecResult>;
}

export function healthCheckArgs(command: string[]): string[] {
  const [kind, ...rest] = command;
  if (kind === "CMD-SHELL") return ["/bin/sh", "-c", rest.join(" ")];
  if (kind === "CMD" && rest.length > 0) return rest;
  throw new Error(
    `health check command must start with CMD or CMD-SHELL: ${JSON.stringify(command)}`,
  );
}

/**
 * Runs a container health check as docker does for ECS: every `interval`, the command runs inside
 * the container and must exit 0 within `timeout`. `retries` consecutive failures make the
 * container UNHEALTHY, except failures during `startPeriod`; a success makes it HEALTHY at once.
 */
export function startHealthCheck(
  container: Execs,
  spec: HealthCheckSpec,
  onChange?: (status: HealthStatus) => void,
): HealthMonitor {
  const args = healthCheckArgs(spec.command);
  const intervalMs = (spec.interval ?? 30) * 1000;
  const timeoutMs = (spec.timeout ?? 5) * 1000;
  const retries = spec.retries ?? 3;
  const startPeriodEnds = Date.now() + (spec.startPeriod ?? 0) * 1000;
  let status: HealthStatus = "UNKNOWN";
  let failures = 0;
  let output = "";
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const set = (next: HealthStatus) => {
    if (next === status) return;
    status = next;
    onChange?.(next);
  };

  const check = async () => {
    const result = await container
      .exec(args, timeoutMs)
      .catch(
        (error: Error): ExecResult => ({ exitCode: 1, output: error.message, timedOut: false }),
      );
    if (stopped) return;
    output = result.output;
    if (result.exitCode === 0) {
      failures = 0;
      set("HEALTHY");
    } else if (Date.now() >= startPeriodEnds) {
      failures += 1;
      if (failures >= retries) set("UNHEALTHY");
    }
    timer = setTimeout(check, intervalMs);
  };
  // Docker runs the first check one interval after start; ECS reports UNKNOWN until then.
  timer = setTimeout(check, intervalMs);

  return {
    status: () => status,
    lastOutput: () => output,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
