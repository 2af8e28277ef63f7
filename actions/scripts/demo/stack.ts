import { CloudFrontClient, CreateKeyValueStoreCommand } from "@aws-sdk/client-cloudfront";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import { loadEcsStackHelper } from "./ecs-stack";
import { createSite } from "./site";

/**
 * The sample stack, created in a running localcloud through the AWS API only (what a user's
 * infrastructure tool does once in a real account): ECR repositories, a cluster, a service of one
 * task [nginx → api] behind a load balancer, and the site (site.ts): the deploy bucket and a
 * distribution that serves it, except shipline's ledger, and sends /api/* to the load balancer;
 * and the key value store that holds the live web release (shipline's web-mode atomic keeps its
 * release router function on the distribution itself). The service deploys as a canary: a
 * second target group and a production listener rule forwarding to both (weights 100/0) are
 * what ECS moves the traffic with.
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
  /** The key value store's ARN: which web release the edge serves. */
  keyValueStore: string;
  logGroup: string;
  albUrl: string;
  /** What ECS's canary deployments shift the traffic with. */
  canary: { alternateTargetGroup: string; productionListenerRule: string; role: string };
}

export const NAMES = {
  cluster: "shipline",
  service: "shipline-web",
  bucket: "shipline-demo-site",
  keyValueStore: "shipline-demo-live",
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
  return (await loadEcsStackHelper()).ecrLogin(clients(cloud).ecr);
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
  const stack = await loadEcsStackHelper();
  const front = await stack.createServiceFront(c, {
    loadBalancer: "shipline",
    targetGroup: "shipline-web",
    port: 8080,
    healthCheck: { intervalSeconds: 5, timeoutSeconds: 4 },
    deregistrationDelaySeconds: 5,
    cluster: NAMES.cluster,
    logGroup: NAMES.logGroup,
  });
  const canary = await createCanaryRouting(c, front.targetGroupArn);
  const logs = (prefix: string) => stack.awsLogs(NAMES.logGroup, cloud.region, prefix);
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
          environment: stack.environmentOf(nginxEnvironment),
          portMappings: [{ containerPort: 8080, protocol: "tcp" }],
          stopTimeout: 5,
          logConfiguration: logs("nginx"),
        },
      ],
    }),
  );
  await stack.createFargateService(c.ecs, {
    cluster: NAMES.cluster,
    service: NAMES.service,
    taskDefinition: registered.taskDefinition?.taskDefinitionArn ?? "",
    desiredCount: 1,
    targetGroupArn: front.targetGroupArn,
    container: "nginx",
    port: 8080,
    // The API initialises its embedded database at start: give it time before health checks count.
    gracePeriodSeconds: 200,
  });

  const distributionId = await createSite(cloud, {
    bucket: NAMES.bucket,
    apiDomain: front.dnsName,
  });
  const store = await c.cloudfront.send(
    new CreateKeyValueStoreCommand({ Name: NAMES.keyValueStore }),
  );
  return {
    cluster: NAMES.cluster,
    service: NAMES.service,
    bucket: NAMES.bucket,
    distributionId,
    keyValueStore: store.KeyValueStore?.ARN ?? "",
    logGroup: NAMES.logGroup,
    albUrl: front.url,
    canary,
  };
}

/**
 * The alternate target group (same port and health check as the service's) and a production
 * listener rule that forwards to both, all traffic on the service's group: on AWS, what a
 * user's infrastructure tool creates once before the first canary.
 */
async function createCanaryRouting(
  c: ReturnType<typeof clients>,
  targetGroupArn: string,
): Promise<DemoStack["canary"]> {
  const alternate = (
    await c.elb.send(
      new CreateTargetGroupCommand({
        Name: "shipline-web-alternate",
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
  ).TargetGroups?.[0]?.TargetGroupArn;
  if (!alternate) throw new Error("the alternate target group was not created");
  await c.elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: alternate,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "5" }],
    }),
  );
  const balancer = (await c.elb.send(new DescribeLoadBalancersCommand({ Names: ["shipline"] })))
    .LoadBalancers?.[0]?.LoadBalancerArn;
  const listener = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: balancer })))
    .Listeners?.[0]?.ListenerArn;
  const rule = (
    await c.elb.send(
      new CreateRuleCommand({
        ListenerArn: listener,
        Priority: 10,
        Conditions: [{ Field: "path-pattern", Values: ["/*"] }],
        Actions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: targetGroupArn, Weight: 100 },
                { TargetGroupArn: alternate, Weight: 0 },
              ],
            },
          },
        ],
      }),
    )
  ).Rules?.[0]?.RuleArn;
  if (!rule) throw new Error("the production listener rule was not created");
  return {
    alternateTargetGroup: alternate,
    productionListenerRule: rule,
    role: "arn:aws:iam::000000000000:role/ecsInfrastructureRoleForLoadBalancers",
  };
}
