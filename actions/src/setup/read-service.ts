import { DescribeRepositoriesCommand, type ECRClient, type Repository } from "@aws-sdk/client-ecr";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ConfigurationError, quote } from "../lib/errors";

/** A container of the service's task definition, and the ECR repository its image comes from. */
export interface FoundContainer {
  name: string;
  image: string;
  /** Undefined: the image is not in this account's ECR, so shipline leaves it as it is. */
  repository?: string;
}

export interface FoundTargetGroup {
  name: string;
  container: string;
  port: number;
  healthCheckPath?: string;
}

/** What runs now: the service, its task definition's containers and its target groups. */
export interface FoundService {
  region: string;
  cluster: string;
  service: string;
  taskDefinition: string;
  containers: FoundContainer[];
  targetGroups: FoundTargetGroup[];
}

export interface ReadClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  ecr: ECRClient;
}

/** Reads a running service through the AWS API only (no writes). */
export async function readService(
  clients: ReadClients,
  cluster: string,
  service: string,
): Promise<FoundService> {
  const described = await clients.ecs.send(
    new DescribeServicesCommand({ cluster, services: [service] }),
  );
  const found = described.services?.find((candidate) => candidate.status !== "INACTIVE");
  if (!found?.taskDefinition) {
    throw new ConfigurationError(
      `service ${quote(service)} was not found in cluster ${quote(cluster)} (input "service")`,
    );
  }
  const balancers = (found.loadBalancers ?? []).filter((entry) => entry.targetGroupArn);
  if (balancers.length === 0) {
    throw new ConfigurationError(
      `service ${quote(service)} has no load balancer target group: shipline gates each rollout on its targets' health, so it deploys only services behind a load balancer`,
    );
  }
  const { taskDefinition } = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: found.taskDefinition }),
  );
  const repositories = await allRepositories(clients.ecr);
  const containers = (taskDefinition?.containerDefinitions ?? []).map(
    (container): FoundContainer => {
      const image = container.image ?? "";
      const repository = repositories.find((candidate) =>
        [":", "@"].some((separator) => image.startsWith(`${candidate.repositoryUri}${separator}`)),
      )?.repositoryName;
      return { name: container.name ?? "", image, ...(repository ? { repository } : {}) };
    },
  );
  const groups = await clients.elb.send(
    new DescribeTargetGroupsCommand({
      TargetGroupArns: balancers.map((entry) => entry.targetGroupArn as string),
    }),
  );
  const targetGroups = balancers.map((entry): FoundTargetGroup => {
    const group = groups.TargetGroups?.find(
      (candidate) => candidate.TargetGroupArn === entry.targetGroupArn,
    );
    return {
      name: group?.TargetGroupName ?? entry.targetGroupArn ?? "",
      container: entry.containerName ?? "",
      port: entry.containerPort ?? 0,
      ...(group?.HealthCheckPath ? { healthCheckPath: group.HealthCheckPath } : {}),
    };
  });
  return {
    region: await clients.ecs.config.region(),
    cluster,
    service: found.serviceName ?? service,
    taskDefinition: found.taskDefinition,
    containers,
    targetGroups,
  };
}

async function allRepositories(ecr: ECRClient): Promise<Repository[]> {
  const repositories: Repository[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecr.send(
      new DescribeRepositoriesCommand({ ...(nextToken ? { nextToken } : {}) }),
    );
    repositories.push(...(page.repositories ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return repositories;
}
