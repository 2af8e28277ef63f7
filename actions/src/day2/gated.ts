import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import type { CurrentService } from "../service/current";
import { diagnose } from "../service/diagnose";
import { chooseWaitStrategy, type GateOutcome, runGate } from "../service/gate";
import type { GateSettings } from "../service/inputs";
import { lastLogLines } from "../service/logs";
import type { ChangeDeps } from "./change";

/**
 * The release's rollout gate on one deployment of the service (the one a redeploy started, or
 * the PRIMARY one a scale-up grows): every desired task RUNNING with its targets healthy for N
 * polls in a row, clear failures at once, the hard timeout always honoured.
 */
export function gateDeployment(
  current: CurrentService,
  deploymentId: string,
  settings: GateSettings,
  deps: ChangeDeps,
): Promise<GateOutcome> {
  return runGate({
    clients: deps.service,
    clock: deps.clock,
    logger: deps.logger,
    cluster: current.cluster,
    service: current.service.serviceName ?? "",
    strategy: chooseWaitStrategy(current),
    settings,
    deploymentId,
    // ECS rolling back returns to the same revision: a new PRIMARY on it is ECS's rollback.
    rollbackTarget: current.taskDefinition.taskDefinitionArn ?? "",
    knownEventIds: (current.service.events ?? []).flatMap((event) => event.id ?? []),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
}

/** A failed gate explained as a deploy explains it: headline, hints, tasks, events, logs. */
export async function logGateDiagnosis(
  gate: GateOutcome,
  current: CurrentService,
  clients: Pick<ServiceClients, "logs">,
  logger: Logger,
): Promise<string> {
  const failure = gate.failure ?? { cause: "timed-out" as const, message: "the gate failed" };
  const containers = current.taskDefinition.containerDefinitions ?? [];
  const diagnosis = await diagnose(
    failure,
    gate.last,
    gate.events,
    (taskId, name) =>
      lastLogLines(
        clients,
        containers.find((c) => c.name === name),
        taskId,
      ),
    gate.lastUnhealthy,
  );
  logger.error(`diagnosis: ${diagnosis.headline}`);
  for (const hint of diagnosis.hints) logger.error(`hint: ${hint}`);
  for (const log of diagnosis.logs) {
    logger.info(`last log lines of ${log.container} in task ${log.taskId}:`);
    for (const line of log.lines) logger.info(`  | ${line}`);
  }
  if (diagnosis.events.length > 0) {
    logger.info("service events since the change began:");
    for (const event of diagnosis.events) logger.info(`  ${event}`);
  }
  await logger.summary(diagnosis.table);
  return diagnosis.headline;
}
