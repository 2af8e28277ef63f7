import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { ConfigurationError, quote } from "../lib/errors";
import type { CurrentService } from "../service/current";

/**
 * The container a one-off command runs in: the one named, else the one the load balancer sends
 * traffic to (the app, not its sidecar), else the first essential one.
 */
export function chooseContainer(current: CurrentService, named: string | undefined): string {
  const containers = current.taskDefinition.containerDefinitions ?? [];
  if (named !== undefined) {
    if (containers.some((c) => c.name === named)) return named;
    throw new ConfigurationError(
      `input "container" ${quote(named)} is not a container of ${current.taskDefinition.taskDefinitionArn} (it has ${containers.map((c) => quote(c.name)).join(", ")})`,
    );
  }
  const served = current.service.loadBalancers?.find((lb) => lb.containerName)?.containerName;
  const chosen = served ?? containers.find((c) => c.essential ?? true)?.name;
  if (!chosen) {
    throw new ConfigurationError(
      `${current.taskDefinition.taskDefinitionArn} has no essential container: give input "container"`,
    );
  }
  return chosen;
}

/** The task definition's containers, or only the one named (refused when it is not there). */
export function containersNamed(
  current: CurrentService,
  named: string | undefined,
): ContainerDefinition[] {
  const containers = current.taskDefinition.containerDefinitions ?? [];
  if (named === undefined) return containers;
  return containers.filter((c) => c.name === chooseContainer(current, named));
}
