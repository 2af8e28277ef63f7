import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import {
  type ContainerDefinition,
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  type LogConfiguration,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";

/**
 * The ECS stack a test (or the demo) creates in a localcloud through the AWS API only, as a
 * user's infrastructure tool does once in a real account. One place for what every such stack
 * has: the registry login, the load balancer in front of one target group, the cluster and log
 * group, and a Fargate service on it.
 */

export interface StackClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
}

export const stackClients = (config: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}): StackClients => ({
  ecs: new ECSClient(config),
  elb: new ElasticLoadBalancingV2Client(config),
  ecr: new ECRClient(config),
  logs: new CloudWatchLogsClient(config),
});

/** The cloud's ECR registry host and the basic-auth login its token carries. */
export const ecrLogin = async (
  ecr: ECRClient,
): Promise<{ registry: string; username: string; password: string }> => {
  const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  const [username = "", password = ""] = Buffer.from(token?.authorizationToken ?? "", "base64")
    .toString()
    .split(/:(.*)/s);
  return { registry: new URL(token?.proxyEndpoint ?? "").host, username, password };
};

export interface ServiceFrontSettings {
  loadBalancer: string;
  targetGroup: string;
  /** The container port the target group sends to. */
  port: number;
  /** In the cloud's seconds (scaled by its time scale). */
  healthCheck: { intervalSeconds: number; timeoutSeconds: number };
  /** The path the target group checks (default /healthz, the sample app's). */
  healthCheckPath?: string;
  deregistrationDelaySeconds: number;
  cluster: string;
  logGroup: string;
}

export interface ServiceFront {
  targetGroupArn: string;
  /** http://<load balancer>:80, the listener that forwards to the target group. */
  url: string;
  dnsName: string;
}

/**
 * A load balancer whose listener on port 80 forwards to one `ip` target group checking
 * /healthz (two checks either way), a log group and a cluster.
 */
export const createServiceFront = async (
  clients: StackClients,
  settings: ServiceFrontSettings,
): Promise<ServiceFront> => {
  const { elb } = clients;
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({ Name: settings.loadBalancer, Subnets: ["subnet-a"] }),
    )
  ).LoadBalancers?.[0];
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: settings.targetGroup,
        Protocol: "HTTP",
        Port: settings.port,
        VpcId: "vpc-1",
        TargetType: "ip",
        HealthCheckPath: settings.healthCheckPath ?? "/healthz",
        HealthCheckIntervalSeconds: settings.healthCheck.intervalSeconds,
        HealthCheckTimeoutSeconds: settings.healthCheck.timeoutSeconds,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups?.[0];
  const targetGroupArn = tg?.TargetGroupArn ?? "";
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [
        {
          Key: "deregistration_delay.timeout_seconds",
          Value: String(settings.deregistrationDelaySeconds),
        },
      ],
    }),
  );
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb?.LoadBalancerArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
    }),
  );
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: settings.logGroup }));
  await clients.ecs.send(new CreateClusterCommand({ clusterName: settings.cluster }));
  const dnsName = lb?.DNSName ?? "";
  return { targetGroupArn, url: `http://${dnsName}:80`, dnsName };
};

/** A container's logs into the stack's log group, under its own stream prefix. */
export const awsLogs = (group: string, region: string, prefix: string): LogConfiguration => ({
  logDriver: "awslogs",
  options: { "awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix },
});

/** NAME=value pairs as a container definition's environment. */
export const environmentOf = (values: Record<string, string>): ContainerDefinition["environment"] =>
  Object.entries(values).map(([name, value]) => ({ name, value }));

/**
 * A Fargate service behind the target group, rolled out as ECS does by default (200/100, circuit
 * breaker with rollback).
 */
export const createFargateService = async (
  ecs: ECSClient,
  settings: {
    cluster: string;
    service: string;
    taskDefinition: string;
    desiredCount: number;
    /** Without one, a service no load balancer sends to (a worker). */
    targetGroupArn?: string;
    container?: string;
    port?: number;
    gracePeriodSeconds?: number;
  },
) =>
  ecs.send(
    new CreateServiceCommand({
      cluster: settings.cluster,
      serviceName: settings.service,
      taskDefinition: settings.taskDefinition,
      desiredCount: settings.desiredCount,
      launchType: "FARGATE",
      ...(settings.gracePeriodSeconds !== undefined
        ? { healthCheckGracePeriodSeconds: settings.gracePeriodSeconds }
        : {}),
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "DISABLED" },
      },
      ...(settings.targetGroupArn
        ? {
            loadBalancers: [
              {
                targetGroupArn: settings.targetGroupArn,
                containerName: settings.container,
                containerPort: settings.port,
              },
            ],
          }
        : {}),
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    }),
  );
