import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
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
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

/**
 * The sample stack, created in a running localcloud through the AWS API only (what a user's
 * infrastructure tool does once in a real account): ECR repositories, a cluster, a service of one
 * task [nginx → api] behind a load balancer, the deploy bucket and a distribution that serves the
 * bucket and sends /api/* to the load balancer.
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

const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

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

  await c.s3.send(new CreateBucketCommand({ Bucket: NAMES.bucket }));
  const distribution = await c.cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `shipline-demo-${Date.now()}`,
        Comment: "shipline demo",
        Enabled: true,
        DefaultRootObject: "index.html",
        Origins: {
          Quantity: 2,
          Items: [
            {
              Id: "web",
              DomainName: `${NAMES.bucket}.s3.${cloud.region}.amazonaws.com`,
              OriginPath: "",
              S3OriginConfig: { OriginAccessIdentity: "" },
            },
            {
              Id: "api",
              DomainName: lb?.DNSName ?? "",
              CustomOriginConfig: {
                HTTPPort: 80,
                HTTPSPort: 443,
                OriginProtocolPolicy: "http-only",
              },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: "web",
          ViewerProtocolPolicy: "redirect-to-https",
          CachePolicyId: CACHING_OPTIMIZED,
        },
        CacheBehaviors: {
          Quantity: 1,
          Items: [
            {
              PathPattern: "/api/*",
              TargetOriginId: "api",
              ViewerProtocolPolicy: "redirect-to-https",
              CachePolicyId: CACHING_DISABLED,
              AllowedMethods: {
                Quantity: 7,
                Items: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                CachedMethods: { Quantity: 2, Items: ["GET", "HEAD"] },
              },
            },
          ],
        },
        CustomErrorResponses: {
          Quantity: 1,
          Items: [
            {
              ErrorCode: 403,
              ResponsePagePath: "/index.html",
              ResponseCode: "200",
              ErrorCachingMinTTL: 0,
            },
          ],
        },
      },
    }),
  );
  return {
    cluster: NAMES.cluster,
    service: NAMES.service,
    bucket: NAMES.bucket,
    distributionId: distribution.Distribution?.Id ?? "",
    logGroup: NAMES.logGroup,
    albUrl: `http://${lb?.DNSName}:80`,
  };
}
