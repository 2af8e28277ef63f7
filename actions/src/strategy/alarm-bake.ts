import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import type { GateOutcome, WaitStrategy } from "../service/gate";
import { observe } from "../service/observe";

/**
 * A rolling deployment with the user's deployment alarms: ECS keeps watching them after the
 * tasks are healthy, through its bake time, and rolls back on an ALARM then. A gate that passed
 * waits for ECS to call the deployment COMPLETED, so a rollback in the bake time is this run's
 * failure (exit 1, the alarm named), never a surprise after exit 0. Past the timeout the gate's
 * verdict stands, with a warning: the bake is ECS's to finish.
 */
export async function untilBaked(
  passed: GateOutcome,
  run: {
    clients: Pick<ServiceClients, "ecs" | "elb">;
    clock: Clock;
    logger: Logger;
    cluster: string;
    service: string;
    strategy: WaitStrategy;
    pollIntervalMs: number;
    timeoutMs: number;
    signal?: AbortSignal;
  },
): Promise<GateOutcome> {
  const { clock, logger } = run;
  const deadline = clock.now() + run.timeoutMs;
  logger.info("waiting for ECS's bake time: the deployment alarms can still roll it back");
  const patience = { clock, deadline, logger, ...(run.signal ? { signal: run.signal } : {}) };
  for (;;) {
    const snapshot = await observe(run.clients, patience, {
      cluster: run.cluster,
      service: run.service,
      deploymentId: passed.deploymentId,
      groups: run.strategy.groups,
    });
    const ours = snapshot.deployments.find((d) => d.id === passed.deploymentId);
    if (ours?.status === "PRIMARY" && ours.rolloutState === "COMPLETED") {
      logger.info(`deployment ${passed.deploymentId} COMPLETED: its bake time passed`);
      return { ...passed, last: snapshot, endedAt: snapshot.at };
    }
    if (ours?.status !== "PRIMARY" || ours.rolloutState === "FAILED") {
      const primary = snapshot.deployments.find((d) => d.status === "PRIMARY");
      return {
        ...passed,
        passed: false,
        last: snapshot,
        endedAt: snapshot.at,
        failure: {
          cause: "rolled-back-by-ecs",
          message: `ECS rolled deployment ${passed.deploymentId} back in its bake time${primary ? `: deployment ${primary.id} returns to ${primary.taskDefinition}` : ""}${ours?.rolloutStateReason ? ` (${ours.rolloutStateReason})` : ""}`,
        },
      };
    }
    if (clock.now() >= deadline) {
      logger.warning(
        `deployment ${passed.deploymentId} still baking after ${Math.round(run.timeoutMs / 1000)} s: not waiting longer (ECS still rolls it back on an alarm)`,
      );
      return passed;
    }
    await clock.sleep(run.pollIntervalMs, run.signal);
  }
}
