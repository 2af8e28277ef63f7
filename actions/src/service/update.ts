import {
  type DeploymentConfiguration,
  type LoadBalancer,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CancelledError } from "../lib/cancel";
import { RollbackFailedError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { RetriesExhaustedError } from "../lib/retry";
import type { ServiceClients } from "./clients";

/**
 * Readies a guard for the deployment about to start (a release's dead man's switch): returns the
 * deploymentConfiguration its UpdateService sends, or undefined to leave the service's as it is.
 */
export type ArmGuard = (service: Service) => Promise<DeploymentConfiguration | undefined>;

/** Points the service at a task definition; returns the id of the deployment ECS started. */
export async function startDeployment(
  clients: Pick<ServiceClients, "ecs">,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
  deploymentConfiguration?: DeploymentConfiguration,
  loadBalancers?: LoadBalancer[],
): Promise<string> {
  const update = await clients.ecs.send(
    new UpdateServiceCommand({
      cluster,
      service,
      taskDefinition: taskDefinitionArn,
      ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
      ...(loadBalancers ? { loadBalancers } : {}),
    }),
  );
  const deployment = update.service?.deployments?.find(
    (d) => d.status === "PRIMARY" && d.taskDefinition === taskDefinitionArn,
  );
  if (!deployment?.id)
    throw new Error(`UpdateService started no deployment of ${taskDefinitionArn}`);
  return deployment.id;
}

/** A gate that ended without a verdict: the run was cancelled, or the reads kept failing. */
export function isInterruption(error: unknown): error is CancelledError | RetriesExhaustedError {
  return error instanceof CancelledError || error instanceof RetriesExhaustedError;
}

/**
 * A rollout whose gate was interrupted goes back to what ran before, without waiting: a
 * cancelled run must exit within seconds, and a gate that cannot read cannot judge the way back
 * either. ECS's own rollout then brings the previous tasks up. The interruption is rethrown (its
 * exit code stands); failing to start the way back is a failed rollback.
 */
export async function returnWithoutWaiting(
  interruption: CancelledError | RetriesExhaustedError,
  target: { clients: Pick<ServiceClients, "ecs">; cluster: string; service: string },
  previousArn: string,
  logger: Logger,
): Promise<never> {
  logger.error(`${interruption.message}: returning ${target.service} to ${previousArn}`);
  try {
    const id = await startDeployment(target.clients, target.cluster, target.service, previousArn);
    logger.info(`${target.service}: deployment ${id} returns to ${previousArn} (not awaited)`);
  } catch (error) {
    throw new RollbackFailedError(
      `ROLLBACK FAILED: ${interruption.message}, and returning ${target.service} to ${previousArn} failed too (${(error as Error).message})`,
      { cause: interruption },
    );
  }
  throw interruption;
}

/**
 * For a step after the rollout: when the run was cancelled before the release went live, the
 * service goes back to what it ran before (without waiting). Any other error is left to the
 * caller's own handling. Always rethrows.
 */
export async function returnIfCancelled(
  error: unknown,
  target: { clients: Pick<ServiceClients, "ecs">; cluster: string; service: string },
  rollout: { previousTaskDefinitionArn: string; taskDefinitionArn: string },
  logger: Logger,
): Promise<never> {
  const { previousTaskDefinitionArn: previous, taskDefinitionArn: next } = rollout;
  if (error instanceof CancelledError && previous && previous !== next) {
    await returnWithoutWaiting(error, target, previous, logger);
  }
  throw error;
}
