import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { Clock } from "../lib/clock";
import { RollbackFailedError, RolledBackError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import { chooseWaitStrategy, type GateOutcome, runGate } from "../service/gate";
import type { GateSettings } from "../service/inputs";

export interface ServiceTarget {
  cluster: string;
  service: string;
  /** Gate timings; the grace period defaults to the service's own. */
  gate: Omit<GateSettings, "graceMs"> & { graceMs?: number };
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
  deps: { clients: ServiceClients; clock: Clock; logger: Logger },
): Promise<RestoreResult> {
  const current = await readCurrentService(deps.clients, target.cluster, target.service);
  const previousArn = current.taskDefinition.taskDefinitionArn ?? "";
  if (previousArn === taskDefinitionArn) {
    deps.logger.info(`${target.service} already runs ${taskDefinitionArn}`);
    return { previousTaskDefinitionArn: previousArn, taskDefinitionArn, changed: false };
  }
  const knownEventIds = (current.service.events ?? []).flatMap((event) => event.id ?? []);
  const settings: GateSettings = {
    pollIntervalMs: target.gate.pollIntervalMs,
    healthyPolls: target.gate.healthyPolls,
    timeoutMs: target.gate.timeoutMs,
    graceMs: target.gate.graceMs ?? (current.service.healthCheckGracePeriodSeconds ?? 0) * 1000,
  };
  const roll = async (arn: string, rollbackTarget?: string): Promise<GateOutcome> => {
    const update = await deps.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: target.cluster,
        service: target.service,
        taskDefinition: arn,
      }),
    );
    const deployment = update.service?.deployments?.find(
      (d) => d.status === "PRIMARY" && d.taskDefinition === arn,
    );
    if (!deployment?.id) throw new Error(`UpdateService started no deployment of ${arn}`);
    deps.logger.info(`${target.service}: deployment ${deployment.id} of ${arn}`);
    return runGate({
      clients: deps.clients,
      clock: deps.clock,
      logger: deps.logger,
      cluster: target.cluster,
      service: target.service,
      strategy: chooseWaitStrategy(current),
      settings,
      deploymentId: deployment.id,
      ...(rollbackTarget ? { rollbackTarget } : {}),
      knownEventIds,
    });
  };
  const gate = await roll(taskDefinitionArn, previousArn);
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
