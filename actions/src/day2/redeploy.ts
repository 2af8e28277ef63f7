import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { RolledBackError } from "../lib/errors";
import { waitForInFlightDeployments } from "../service/in-flight";
import { type ChangeDeps, gateSettingsOf, readChangeTarget, withServiceChange } from "./change";
import { gateDeployment, logGateDiagnosis } from "./gated";
import type { RedeployInputs } from "./inputs";

export interface RedeployResult {
  taskDefinitionArn: string;
  /** The deployment ECS started; undefined on a dry run. */
  deploymentId?: string;
  releaseId: string;
}

/**
 * `shipline redeploy`: new tasks of the revision the live release runs (after a secret rotation,
 * to pick up a changed parameter, to replace tasks on a bad host), gated exactly as a release's
 * rollout, under the environment's lock, recorded as an event of the live release. When the gate
 * fails there is nothing to roll back to — ECS keeps or returns to tasks of the same revision —
 * so the command fails with exit 1 and the diagnosis.
 */
export async function redeploy(inputs: RedeployInputs, deps: ChangeDeps): Promise<RedeployResult> {
  const { logger } = deps;
  const planned = await readChangeTarget(inputs, deps);
  const arn = planned.taskDefinitionArn;
  const settings = gateSettingsOf(inputs, planned.current);
  const desired = planned.current.service.desiredCount ?? 0;
  const inFlight = (dryRun: boolean) =>
    waitForInFlightDeployments(
      deps.service,
      {
        cluster: inputs.cluster,
        service: inputs.service,
        timeoutMs: settings.timeoutMs,
        timeoutInput: "gate-timeout",
        pollIntervalMs: settings.pollIntervalMs,
        dryRun,
      },
      deps,
    );
  if (inputs["dry-run"]) {
    await inFlight(true);
    logger.info(
      `dry run: would force a new deployment of ${inputs.service} on ${arn} (${desired} tasks replaced), gate it (every ${settings.pollIntervalMs} ms, ${settings.healthyPolls} healthy polls, timeout ${settings.timeoutMs} ms) and record it on release ${planned.live.id} of ${inputs.environment}; nothing was changed`,
    );
    return { taskDefinitionArn: arn, releaseId: planned.live.id };
  }
  return withServiceChange("redeploy", inputs, deps, planned, async ({ target, note }) => {
    // A forced deployment would replace one ECS has not finished with (a rollback under way).
    await inFlight(false);
    const before = target.current.service.deployments?.find((d) => d.status === "PRIMARY")?.id;
    const update = await deps.service.ecs.send(
      new UpdateServiceCommand({
        cluster: inputs.cluster,
        service: inputs.service,
        forceNewDeployment: true,
      }),
    );
    const deployment = update.service?.deployments?.find((d) => d.status === "PRIMARY");
    if (!deployment?.id || deployment.id === before) {
      throw new Error(`UpdateService (forceNewDeployment) started no new deployment of ${arn}`);
    }
    logger.info(`${inputs.service}: deployment ${deployment.id} replaces the tasks of ${arn}`);
    await note({ deploymentId: deployment.id });
    const gate = await gateDeployment(target.current, deployment.id, settings, deps);
    if (!gate.passed) {
      const headline = await logGateDiagnosis(gate, target.current, deps.service, logger);
      throw new RolledBackError(
        `${inputs.service}: the redeployment of ${arn} failed its gate (${headline}); the service still runs ${arn}: ECS keeps, or returns to, the tasks of the previous deployment`,
      );
    }
    logger.info(`${inputs.service}: redeployed ${arn} (deployment ${deployment.id})`);
    logger.output("deployment-id", deployment.id);
    return { taskDefinitionArn: arn, deploymentId: deployment.id, releaseId: target.live.id };
  });
}
