import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { ContainerDefinition, ECSClient, LogConfiguration } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";

/**
 * localcloud's one helper for the ECS stack every test cloud and the demo create through the AWS
 * API (localcloud/test/helpers/ecs-stack.ts), loaded by path at run time so the toolkit's
 * type-checked project never depends on localcloud's sources; the shapes used are declared here.
 */
export interface StackClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
}

export interface EcsStackHelper {
  ecrLogin(ecr: ECRClient): Promise<{ registry: string; username: string; password: string }>;
  createServiceFront(
    clients: StackClients,
    settings: {
      loadBalancer: string;
      targetGroup: string;
      port: number;
      healthCheck: { intervalSeconds: number; timeoutSeconds: number };
      healthCheckPath?: string;
      deregistrationDelaySeconds: number;
      cluster: string;
      logGroup: string;
    },
  ): Promise<{ targetGroupArn: string; url: string; dnsName: string }>;
  awsLogs(group: string, region: string, prefix: string): LogConfiguration;
  environmentOf(values: Record<string, string>): ContainerDefinition["environment"];
  createFargateService(
    ecs: ECSClient,
    settings: {
      cluster: string;
      service: string;
      taskDefinition: string;
      desiredCount: number;
      targetGroupArn?: string;
      container?: string;
      port?: number;
      gracePeriodSeconds?: number;
    },
  ): Promise<unknown>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export async function loadEcsStackHelper(): Promise<EcsStackHelper> {
  const path = join(REPO_ROOT, "localcloud/test/helpers/ecs-stack.ts");
  return (await import(/* @vite-ignore */ path)) as EcsStackHelper;
}
