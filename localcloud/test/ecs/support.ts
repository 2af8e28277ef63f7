import { readFileSync } from "node:fs";
import { CreateRepositoryCommand } from "@aws-sdk/client-ecr";
import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { expect } from "vitest";
import { buildBaseImage } from "../../src/images/base-image";
import { pushLayout } from "../../src/images/push";
import { run as runCommand } from "../../src/runtime/exec";
import { clientConfig, startTestCloud } from "../helpers/cloud";
import {
  awsLogs,
  createFargateService,
  createServiceFront,
  ecrLogin,
  environmentOf,
  stackClients,
} from "../helpers/ecs-stack";
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
  const clients = stackClients({ ...clientConfig(cloud), maxAttempts: 5 });
  const { ecs, elb, ecr, logs } = clients;

  const base = await buildBaseImage("node", BASE_IMAGE_CACHE);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const { registry, username, password } = await ecrLogin(ecr);
  const { digest } = await pushLayout(base.reference, {
    registry,
    repository: "app",
    tag: "base",
    username,
    password,
  });
  const image = `${registry}/app@${digest}`;

  const front = await createServiceFront(clients, {
    loadBalancer: "web",
    targetGroup: "web",
    port: 8080,
    healthCheck: { intervalSeconds: 5, timeoutSeconds: 4 },
    deregistrationDelaySeconds: 10,
    cluster: "default",
    logGroup: "/ecs/web",
  });
  const { targetGroupArn } = front;

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
              environment: environmentOf(environment),
              portMappings: [{ containerPort: 8080, protocol: "tcp" }],
              stopTimeout: 5,
              logConfiguration: awsLogs("/ecs/web", cloud.region, "web"),
            },
          ],
        }),
      )
    ).taskDefinition?.taskDefinitionArn ?? "";

  const createService = async (taskDefinition: string, desiredCount = 2) =>
    createFargateService(ecs, {
      cluster: "default",
      service: "web",
      taskDefinition,
      desiredCount,
      targetGroupArn,
      container: "app",
      port: 8080,
    });

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
    lbUrl: front.url,
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
