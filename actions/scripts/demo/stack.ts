import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateRepositoryCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import { createSite } from "./site";

/**
 * The sample stack, created in a running localcloud through the AWS API only (what a user's
 * infrastructure tool does once in a real account): ECR repositories, a cluster, a service of one
 * task [nginx → api] behind a load balancer, and the site (site.ts): the deploy bucket and a
 * distribution that serves it, except shipline's ledger, and sends /api/* to the load balancer.
 */
export interface CloudEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface DemoStack {
  cluster: string;
  service: string;
  bucket: string;
  distributionId: string;
  logGroup: string;
  albUrl: string;
}

export const NAMES = {
  cluster: "shipline",
  service: "shipline-web",
  bucket: "shipline-demo-site",
  logGroup: "/ecs/shipline",
  apiRepository: "shipline/api",
  nginxRepository: "shipline/nginx",
} as const;

export function clients(cloud: CloudEndpoint) {
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
  return {
    ecr: new ECRClient(config),
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    logs: new CloudWatchLogsClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    cloudfront: new CloudFrontClient(config),
  };
}

export async function registryLogin(cloud: CloudEndpoint) {
  const token = (await clients(cloud).ecr.send(new GetAuthorizationTokenCommand({})))
    .authorizationData?.[0];
  const password = Buffer.from(token?.authorizationToken ?? "", "base64")
    .toString()
    .slice(4);
  return { registry: new URL(token?.proxyEndpoint ?? "").host, username: "AWS", password };
}

export async function createRepositories(cloud: CloudEndpoint, names: string[]): Promise<void> {
  for (const name of names) {
    await clients(cloud).ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  }
}

/** The service on its first task definition (images given by digest), plus web and edge. */
export async function createStack(
  cloud: CloudEndpoint,
  images: { api: string; nginx: string },
  nginxEnvironment: Record<string, string>,
): Promise<DemoStack> {
  const c = clients(cloud);
  const lb = (
    await c.elb.send(new CreateLoadBalancerCommand({ Name: "shipline", Subnets: ["subnet-a"] }))
  ).LoadBalancers?.[0];
  const tg = (
    await c.elb.send(
      new CreateTargetGroupCommand({
        Name: "shipline-web",
        Protocol: "HTTP",
        Port: 8080,
        VpcId: "vpc-1",
        TargetType: "ip",
        HealthCheckPath: "/healthz",
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 4,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups?.[0];
  const targetGroupArn = tg?.TargetGroupArn ?? "";
  await c.elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "5" }],
    }),
  );
  await c.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb?.LoadBalancerArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
    }),
  );
  await c.logs.send(new CreateLogGroupCommand({ logGroupName: NAMES.logGroup }));
  await c.ecs.send(new CreateClusterCommand({ clusterName: NAMES.cluster }));
  const logs = (prefix: string) => ({
    logDriver: "awslogs" as const,
    options: {
      "awslogs-group": NAMES.logGroup,
      "awslogs-region": cloud.region,
      "awslogs-stream-prefix": prefix,
    },
  });
  const registered = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "shipline-web",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        {
          name: "api",
          image: images.api,
          essential: true,
          environment: [{ name: "LOG_LEVEL", value: "warn" }],
          portMappings: [{ containerPort: 3000, protocol: "tcp" }],
          stopTimeout: 5,
          logConfiguration: logs("api"),
        },
        {
          name: "nginx",
          image: images.nginx,
          essential: true,
          environment: Object.entries(nginxEnvironment).map(([name, value]) => ({ name, value })),
          portMappings: [{ containerPort: 8080, protocol: "tcp" }],
          stopTimeout: 5,
          logConfiguration: logs("nginx"),
        },
      ],
    }),
  );
  await c.ecs.send(
    new CreateServiceCommand({
      cluster: NAMES.cluster,
      serviceName: NAMES.service,
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: "FARGATE",
      // The API initialises its embedded database at start: give it time before health checks count.
      healthCheckGracePeriodSeconds: 200,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "DISABLED" },
      },
      loadBalancers: [{ targetGroupArn, containerName: "nginx", containerPort: 8080 }],
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    }),
  );

  const distributionId = await createSite(cloud, {
    bucket: NAMES.bucket,
    apiDomain: lb?.DNSName ?? "",
  });
  return {
    cluster: NAMES.cluster,
    service: NAMES.service,
    bucket: NAMES.bucket,
    distributionId,
    logGroup: NAMES.logGroup,
    albUrl: `http://${lb?.DNSName}:80`,
  };
}
