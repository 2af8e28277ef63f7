import type { Clock } from "../lib/clock";
import { RollbackFailedError, RolledBackError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import { chooseWaitStrategy, type GateOutcome, runGate } from "../service/gate";
import { waitForInFlightDeployments } from "../service/in-flight";
import type { GateSettings } from "../service/inputs";
import {
  type ArmGuard,
  isInterruption,
  returnWithoutWaiting,
  startDeployment,
} from "../service/update";

export interface ServiceTarget {
  cluster: string;
  service: string;
  /** Gate timings; the grace period defaults to the service's own. */
  gate: Omit<GateSettings, "graceMs"> & { graceMs?: number };
  /**
   * When the gate ends without a verdict (cancelled, reads failing to the deadline): "return"
   * sends the service back to what it ran (a rollback moving forward, before its commit point);
   * "stay" leaves it going to the target (an undo, which must not be undone).
   */
  onInterruption?: "return" | "stay";
}

export interface RestoreResult {
  /** What the service ran before: where a failed restore returns to. */
  previousTaskDefinitionArn: string;
  taskDefinitionArn: string;
  changed: boolean;
}

/**
 * Points the service at an existing task definition (a release's own, as registered then: no
 * render, no rebuild) and gates it on the load balancer as a deploy is. When the gate fails, the
 * service goes back to what it ran and that is gated too.
 */
export async function restoreService(
  target: ServiceTarget,
  taskDefinitionArn: string,
  deps: {
    clients: ServiceClients;
    clock: Clock;
    logger: Logger;
    signal?: AbortSignal;
    /** Called right before the UpdateService to `taskDefinitionArn` (not before a way back). */
    armGuard?: ArmGuard;
    /**
     * Waits first until ECS has finished the service's deployments in flight (a rollback under
     * way would be replaced). Off for an undo, whose in-flight deployment is this run's own.
     */
    awaitInFlight?: boolean;
  },
  /**
   * Where a failed gate returns to: the live release's task definition, as a deploy's does;
   * default (or when that is the one being restored) what the service runs now.
   */
  returnTo?: string,
): Promise<RestoreResult> {
  if (deps.awaitInFlight) {
    await waitForInFlightDeployments(
      deps.clients,
      {
        cluster: target.cluster,
        service: target.service,
        timeoutMs: target.gate.timeoutMs,
        timeoutInput: "gate-timeout",
        pollIntervalMs: target.gate.pollIntervalMs,
      },
      deps,
    );
  }
  const current = await readCurrentService(deps.clients, target.cluster, target.service);
  const runningArn = current.taskDefinition.taskDefinitionArn ?? "";
  const previousArn = returnTo && returnTo !== taskDefinitionArn ? returnTo : runningArn;
  if (runningArn === taskDefinitionArn) {
    deps.logger.info(`${target.service} already runs ${taskDefinitionArn}`);
    return { previousTaskDefinitionArn: runningArn, taskDefinitionArn, changed: false };
  }
  const knownEventIds = (current.service.events ?? []).flatMap((event) => event.id ?? []);
  const settings: GateSettings = {
    pollIntervalMs: target.gate.pollIntervalMs,
    healthyPolls: target.gate.healthyPolls,
    timeoutMs: target.gate.timeoutMs,
    graceMs: target.gate.graceMs ?? (current.service.healthCheckGracePeriodSeconds ?? 0) * 1000,
  };
  const roll = async (arn: string, rollbackTarget?: string): Promise<GateOutcome> => {
    const guarded = arn === taskDefinitionArn ? await deps.armGuard?.(current.service) : undefined;
    const deploymentId = await startDeployment(
      deps.clients,
      target.cluster,
      target.service,
      arn,
      guarded,
    );
    deps.logger.info(`${target.service}: deployment ${deploymentId} of ${arn}`);
    return runGate({
      clients: deps.clients,
      clock: deps.clock,
      logger: deps.logger,
      cluster: target.cluster,
      service: target.service,
      strategy: chooseWaitStrategy(current),
      settings,
      deploymentId,
      ...(rollbackTarget ? { rollbackTarget } : {}),
      knownEventIds,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  };
  const gate = await roll(taskDefinitionArn, previousArn).catch((error: unknown) => {
    if (!isInterruption(error) || target.onInterruption === "stay") throw error;
    return returnWithoutWaiting(
      error,
      { clients: deps.clients, cluster: target.cluster, service: target.service },
      previousArn,
      deps.logger,
    );
  });
  if (gate.passed) {
    return { previousTaskDefinitionArn: previousArn, taskDefinitionArn, changed: true };
  }
  const why = gate.failure?.message ?? "the gate failed";
  deps.logger.error(`${taskDefinitionArn} failed its gate (${why}); returning to ${previousArn}`);
  const back = await roll(previousArn);
  if (!back.passed) {
    throw new RollbackFailedError(
      `ROLLBACK FAILED: ${taskDefinitionArn} failed (${why}) and returning to ${previousArn} failed too (${back.failure?.message ?? "unknown"}): the service needs a human now`,
    );
  }
  throw new RolledBackError(
    `${target.service}: ${taskDefinitionArn} failed (${why}); returned to ${previousArn}, which is healthy`,
  );
}
