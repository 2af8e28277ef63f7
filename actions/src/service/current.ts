import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type Service,
  type Tag,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ConfigurationError, quote } from "../lib/errors";
import type { ServiceClients } from "./clients";

/** The service as it is before anything changes: what the rollout starts from and returns to. */
export interface CurrentService {
  cluster: string;
  service: Service;
  /** The PRIMARY deployment's task definition: the rollback target. */
  taskDefinition: TaskDefinition;
  taskDefinitionTags: Tag[];
  /** The target groups of service.loadBalancers, in that order. */
  targetGroups: TargetGroup[];
}

function isNamed(error: unknown, name: string): boolean {
  return (error as Error | undefined)?.name === name;
}

/** Reads the service, its PRIMARY task definition and target groups; unknown names are the user's. */
export async function readCurrentService(
  clients: Pick<ServiceClients, "ecs" | "elb">,
  cluster: string,
  serviceName: string,
): Promise<CurrentService> {
  let service: Service | undefined;
  try {
    const response = await clients.ecs.send(
      new DescribeServicesCommand({ cluster, services: [serviceName] }),
    );
    service = response.services?.[0];
  } catch (error) {
    if (error instanceof ClusterNotFoundException || isNamed(error, "ClusterNotFoundException")) {
      throw new ConfigurationError(`cluster ${quote(cluster)} does not exist in this region`);
    }
    throw error;
  }
  if (!service || service.status === "INACTIVE") {
    throw new ConfigurationError(
      `service ${quote(serviceName)} does not exist in cluster ${quote(cluster)}${service ? " (it is INACTIVE)" : ""}; shipline updates an existing service, it does not create one`,
    );
  }
  if (service.status === "DRAINING") {
    throw new ConfigurationError(`service ${quote(serviceName)} is being deleted (DRAINING)`);
  }
  const primary = service.deployments?.find((deployment) => deployment.status === "PRIMARY");
  const arn = primary?.taskDefinition ?? service.taskDefinition;
  if (!arn) {
    throw new ConfigurationError(
      `service ${quote(serviceName)} has no task definition (deployment controller ${service.deploymentController?.type ?? "ECS"}); shipline rolls services that use the ECS deployment controller`,
    );
  }
  const described = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }),
  );
  if (!described.taskDefinition) throw new Error(`ECS did not describe ${arn}`);
  const targetGroupArns = [
    ...new Set((service.loadBalancers ?? []).flatMap((lb) => lb.targetGroupArn ?? [])),
  ];
  const targetGroups =
    targetGroupArns.length === 0
      ? []
      : ((
          await clients.elb.send(
            new DescribeTargetGroupsCommand({ TargetGroupArns: targetGroupArns }),
          )
        ).TargetGroups ?? []);
  return {
    cluster,
    service,
    taskDefinition: described.taskDefinition,
    taskDefinitionTags: described.tags ?? [],
    targetGroups,
  };
}
