import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { loadEcsStackHelper } from "../../scripts/demo/ecs-stack";
import type { ServiceStack } from "../service/cloud";

/** Another environment's service in the same cloud: its own cluster, load balancer and target group. */
export interface SecondService {
  cluster: string;
  service: string;
  /** Its first revision (the stack's first API image). */
  taskDefinition: string;
  /** Its load balancer's listener. */
  lbUrl: string;
  describe(): Promise<Service>;
}

/**
 * Adds a second environment to a service stack: cluster `name` with a service "web" of one task
 * running the stack's first API image behind a load balancer of its own. Cheaper than a second
 * stack (one cloud, one registry, one task network), and as separate as two environments are.
 */
export async function addSecondService(stack: ServiceStack, name: string): Promise<SecondService> {
  const helper = await loadEcsStackHelper();
  const front = await helper.createServiceFront(stack.clients, {
    loadBalancer: `web-${name}`,
    targetGroup: `api-${name}`,
    port: 3000,
    healthCheck: { intervalSeconds: 20, timeoutSeconds: 10 },
    deregistrationDelaySeconds: 10,
    cluster: name,
    logGroup: `/ecs/${name}`,
  });
  const registered = await stack.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `web-${name}`,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "api",
          image: stack.apiImage,
          essential: true,
          environment: helper.environmentOf({ RELEASE_ID: "r0" }),
          portMappings: [{ containerPort: 3000, protocol: "tcp" }],
          stopTimeout: 5,
          logConfiguration: helper.awsLogs(`/ecs/${name}`, stack.cloud.region, "web"),
        },
      ],
    }),
  );
  const taskDefinition = registered.taskDefinition?.taskDefinitionArn ?? "";
  await helper.createFargateService(stack.clients.ecs, {
    cluster: name,
    service: "web",
    taskDefinition,
    desiredCount: 1,
    targetGroupArn: front.targetGroupArn,
    container: "api",
    port: 3000,
    gracePeriodSeconds: 60,
  });
  return {
    cluster: name,
    service: "web",
    taskDefinition,
    lbUrl: front.url,
    describe: async () =>
      (
        await stack.clients.ecs.send(
          new DescribeServicesCommand({ cluster: name, services: ["web"] }),
        )
      ).services?.[0] ?? {},
  };
}
