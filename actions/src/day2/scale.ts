import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { RollbackFailedError, RolledBackError, TimeoutError } from "../lib/errors";
import { retryTransient } from "../lib/retry";
import { isInterruption } from "../service/update";
import { type ChangeDeps, gateSettingsOf, readChangeTarget, withServiceChange } from "./change";
import { gateDeployment, logGateDiagnosis } from "./gated";
import type { ScaleInputs } from "./inputs";

export interface ScaleResult {
  from: number;
  to: number;
  changed: boolean;
  releaseId: string;
}

/**
 * `shipline scale`: sets the service's desired count, under the environment's lock, recorded as
 * an event of the live release. Scaling up is gated like a rollout (the new tasks healthy behind
 * the load balancer); when it fails the count goes back and the command exits 1. Scaling down
 * waits until the extra tasks are gone.
 */
export async function scale(inputs: ScaleInputs, deps: ChangeDeps): Promise<ScaleResult> {
  const { logger } = deps;
  const planned = await readChangeTarget(inputs, deps);
  const from = planned.current.service.desiredCount ?? 0;
  const to = inputs.count;
  const releaseId = planned.live.id;
  if (from === to) {
    logger.info(`${inputs.service} already keeps ${to} tasks: nothing to change`);
    return { from, to, changed: false, releaseId };
  }
  if (inputs["dry-run"]) {
    logger.info(
      `dry run: would scale ${inputs.service} from ${from} to ${to} tasks of ${planned.taskDefinitionArn}${to > from ? ", gated on the new tasks' health" : ""}, and record it on release ${releaseId} of ${inputs.environment}; nothing was changed`,
    );
    return { from, to, changed: false, releaseId };
  }
  return withServiceChange("scale", inputs, deps, planned, async ({ target, note }) => {
    const start = target.current.service.desiredCount ?? 0;
    await note({ desiredCount: { from: start, to } });
    const setCount = (count: number) =>
      deps.service.ecs.send(
        new UpdateServiceCommand({
          cluster: inputs.cluster,
          service: inputs.service,
          desiredCount: count,
        }),
      );
    const updated = await setCount(to);
    logger.info(`${inputs.service}: desired count ${start} → ${to}`);
    if (to > start) {
      const primary = updated.service?.deployments?.find((d) => d.status === "PRIMARY");
      if (!primary?.id) throw new Error(`${inputs.service} has no PRIMARY deployment to grow`);
      const settings = gateSettingsOf(inputs, target.current);
      const gate = await gateDeployment(target.current, primary.id, settings, deps).catch(
        async (error: unknown) => {
          // Stopped without a verdict: the count goes back, not awaited, as a rollout returns.
          if (isInterruption(error)) await setCount(start).catch(() => undefined);
          throw error;
        },
      );
      if (!gate.passed) {
        const headline = await logGateDiagnosis(gate, target.current, deps.service, logger);
        try {
          await setCount(start);
        } catch (error) {
          throw new RollbackFailedError(
            `ROLLBACK FAILED: scaling ${inputs.service} to ${to} failed its gate (${headline}) and returning to ${start} tasks failed too (${(error as Error).message})`,
          );
        }
        throw new RolledBackError(
          `${inputs.service}: scaling to ${to} failed its gate (${headline}); the desired count is back to ${start}`,
        );
      }
    } else {
      await waitForRunningCount(inputs, to, deps);
    }
    logger.info(`${inputs.service}: ${to} tasks of ${target.taskDefinitionArn}`);
    return { from: start, to, changed: true, releaseId: target.live.id };
  });
}

/** Scaling down: the stopped tasks drain from the load balancer first; waits until they are gone. */
async function waitForRunningCount(
  inputs: ScaleInputs,
  to: number,
  deps: ChangeDeps,
): Promise<void> {
  const { clock, logger } = deps;
  const startedAt = clock.now();
  const deadline = startedAt + inputs["gate-timeout"];
  const patience = { clock, logger, deadline, ...(deps.signal ? { signal: deps.signal } : {}) };
  for (;;) {
    const described = await retryTransient(
      "ECS DescribeServices",
      () =>
        deps.service.ecs.send(
          new DescribeServicesCommand({ cluster: inputs.cluster, services: [inputs.service] }),
        ),
      patience,
    );
    const running = described.services?.[0]?.runningCount ?? 0;
    if (running <= to) return;
    if (clock.now() >= deadline) {
      throw new TimeoutError(
        `${inputs.service} still runs ${running} tasks ${Math.round(inputs["gate-timeout"] / 1000)} s after its desired count became ${to}`,
      );
    }
    await clock.sleep(Math.min(inputs["gate-interval"], deadline - clock.now()), deps.signal);
  }
}
