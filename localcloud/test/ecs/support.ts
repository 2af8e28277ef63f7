import { readFileSync } from "node:fs";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateRepositoryCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { expect } from "vitest";
import { buildBaseImage } from "../../src/images/base-image";
import { pushLayout } from "../../src/images/push";
import { run as runCommand } from "../../src/runtime/exec";
import { clientConfig, startTestCloud } from "../helpers/cloud";
import {
  BASE_IMAGE_CACHE,
  requireContainerPrivileges,
  uniqueTestNetwork,
} from "../runtime/fixtures";

/**
 * A tiny service for ECS tests, run with `node -e` on the node base image: MODE=ok serves and
 * passes /healthz, MODE=unhealthy fails /healthz, MODE=exit logs and exits 1 at start.
 */
export const APP = `
const mode = process.env.MODE || "ok";
if (mode === "exit") { console.log("starting"); console.error("boom: DATABASE_URL is missing"); process.exit(1); }
const server = require("http").createServer((req, res) => {
  if (req.url === "/healthz") { res.writeHead(mode === "unhealthy" ? 503 : 200); res.end(mode); return; }
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ version: process.env.VERSION, mode }));
});
server.keepAliveTimeout = 5000;
server.listen(8080, "0.0.0.0", () => console.log("listening on 8080"));
process.on("SIGTERM", () => { console.log("draining"); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 3000).unref(); });
`;

export type EcsTestCloud = Awaited<ReturnType<typeof startEcsCloud>>;

/** A localcloud with a load balancer and the node base image pushed to its ECR. */
export const startEcsCloud = async () => {
  await requireContainerPrivileges();
  const taskNetwork = await uniqueTestNetwork();
  // AWS's 5 s health-check intervals at 1/20 of the pace: a check every 250 ms.
  const cloud = await startTestCloud({ timeScale: 0.05, taskNetwork });
  const config = { ...clientConfig(cloud), maxAttempts: 5 };
  const ecs = new ECSClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const ecr = new ECRClient(config);
  const logs = new CloudWatchLogsClient(config);

  const base = await buildBaseImage("node", BASE_IMAGE_CACHE);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  const password = Buffer.from(token?.authorizationToken ?? "", "base64")
    .toString()
    .slice(4);
  const registry = new URL(token?.proxyEndpoint ?? "").host;
  const { digest } = await pushLayout(base.reference, {
    registry,
    repository: "app",
    tag: "base",
    username: "AWS",
    password,
  });
  const image = `${registry}/app@${digest}`;

  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "web", Subnets: ["subnet-a"] })))
    .LoadBalancers?.[0];
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: "web",
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
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
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
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
  await ecs.send(new CreateClusterCommand({ clusterName: "default" }));

  const registerRevision = async (
    environment: Record<string, string>,
    options: { image?: string } = {},
  ) =>
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "web",
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [
            {
              name: "app",
              image: options.image ?? image,
              essential: true,
              command: ["node", "-e", APP],
              environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
              portMappings: [{ containerPort: 8080, protocol: "tcp" }],
              stopTimeout: 5,
              logConfiguration: {
                logDriver: "awslogs",
                options: {
                  "awslogs-group": "/ecs/web",
                  "awslogs-region": cloud.region,
                  "awslogs-stream-prefix": "web",
                },
              },
            },
          ],
        }),
      )
    ).taskDefinition?.taskDefinitionArn ?? "";

  const createService = async (taskDefinition: string, desiredCount = 2) =>
    ecs.send(
      new CreateServiceCommand({
        cluster: "default",
        serviceName: "web",
        taskDefinition,
        desiredCount,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "DISABLED" },
        },
        loadBalancers: [{ targetGroupArn, containerName: "app", containerPort: 8080 }],
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          maximumPercent: 200,
          minimumHealthyPercent: 100,
        },
      }),
    );

  const describe = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: "default", services: ["web"] })))
      .services?.[0] ?? {};

  return {
    cloud,
    ecs,
    elb,
    logs,
    image,
    registry,
    taskNetwork,
    targetGroupArn,
    lbUrl: `http://${lb?.DNSName}:80`,
    registerRevision,
    createService,
    describe,
  };
};

export const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * Stops the cloud, then checks that nothing of its task runtime is left on the host: no bridge,
 * mount or runc container, and no namespace holding an address of this cloud's task subnet (other
 * test files run their own subnets at the same time).
 */
export const disposeAndExpectNothingLeft = async (t: EcsTestCloud): Promise<void> => {
  const stateDir = t.cloud.stateDir;
  await t.cloud.dispose();
  const bridge = await runCommand("ip", ["link", "show", "dev", t.taskNetwork.bridge], {
    allowFailure: true,
  });
  expect(bridge.code).not.toBe(0);
  expect(readFileSync("/proc/mounts", "utf8")).not.toContain(stateDir);
  const runc = await runCommand("runc", ["--root", `${stateDir}/ecs/runtime/runc`, "list", "-q"], {
    allowFailure: true,
  });
  expect(runc.stdout.trim()).toBe("");
  const prefix = t.taskNetwork.subnet.split(".").slice(0, 3).join(".");
  const namespaces = (
    await runCommand("ip", ["-all", "netns", "exec", "ip", "-4", "-o", "addr"], {
      allowFailure: true,
    })
  ).stdout;
  expect(namespaces).not.toContain(` ${prefix}.`);
};
