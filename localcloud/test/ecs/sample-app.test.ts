import { randomUUID } from "node:crypto";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientConfig } from "../helpers/cloud";
import { buildSampleImages, type SampleImages } from "./sample-images";
import { disposeAndExpectNothingLeft, type EcsTestCloud, startEcsCloud, waitFor } from "./support";

/**
 * The sample app as it is deployed: the images built and pushed by the toolkit's CLI, one task
 * of nginx in front of the API, two tasks behind the load balancer's target group.
 */

const RELEASE = "sample-1";
let t: EcsTestCloud;
let images: SampleImages;
let taskDefinition = "";

const awslogs = (cloud: EcsTestCloud["cloud"]) => ({
  logDriver: "awslogs" as const,
  options: {
    "awslogs-group": "/ecs/web",
    "awslogs-region": cloud.region,
    "awslogs-stream-prefix": "sample",
  },
});

beforeAll(async () => {
  t = await startEcsCloud();
  images = await buildSampleImages(new ECRClient(clientConfig(t.cloud)), RELEASE);
  taskDefinition =
    (
      await t.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "sample",
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "512",
          memory: "1024",
          containerDefinitions: [
            {
              name: "nginx",
              image: images.nginx,
              essential: true,
              portMappings: [{ containerPort: 8080, protocol: "tcp" }],
              // nginx takes traffic only once the API answers its own health check.
              dependsOn: [{ containerName: "api", condition: "HEALTHY" }],
              stopTimeout: 5,
              logConfiguration: awslogs(t.cloud),
            },
            {
              name: "api",
              image: images.api,
              essential: true,
              portMappings: [{ containerPort: 3000, protocol: "tcp" }],
              // No DATABASE_URL: the API runs on its embedded database (PGlite), one per task.
              environment: [
                { name: "RELEASE_ID", value: RELEASE },
                { name: "GIT_COMMIT", value: "0123456" },
              ],
              healthCheck: {
                // node is in the API image; no curl or wget there.
                command: [
                  "CMD-SHELL",
                  "node -e \"fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))\"",
                ],
                interval: 5,
                timeout: 5,
                retries: 3,
                // The embedded database initialises at start: ~10 s on an idle two-core machine,
                // much longer on a loaded one. Failures in this grace time do not count.
                startPeriod: 300,
              },
              stopTimeout: 5,
              logConfiguration: awslogs(t.cloud),
            },
          ],
        }),
      )
    ).taskDefinition?.taskDefinitionArn ?? "";
}, 180_000);

afterAll(async () => {
  if (t) await disposeAndExpectNothingLeft(t);
});

/**
 * Sends one request through the load balancer until `accept` takes the answer. Each task has its
 * own embedded database, so a session made on one task is known only there: the round robin
 * reaches it again within a few requests.
 */
async function untilAccepted(
  path: string,
  init: RequestInit,
  accept: (response: Response) => boolean,
): Promise<Response> {
  const seen: number[] = [];
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const response = await fetch(`${t.lbUrl}${path}`, init);
    if (accept(response)) return response;
    seen.push(response.status);
    await response.body?.cancel();
  }
  throw new Error(`${init.method ?? "GET"} ${path} was never accepted: ${seen.join(", ")}`);
}

/** What went wrong, as a deploy would show it: events, stopped tasks, targets, last log lines. */
async function diagnosis(): Promise<string> {
  const service = await t.describe();
  const stopped =
    (await t.ecs.send(new ListTasksCommand({ cluster: "default", desiredStatus: "STOPPED" })))
      .taskArns ?? [];
  const running = (await t.ecs.send(new ListTasksCommand({ cluster: "default" }))).taskArns ?? [];
  const all = [...stopped, ...running].slice(0, 20);
  const tasks = all.length
    ? ((await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: all }))).tasks ?? [])
    : [];
  const health = await t.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: t.targetGroupArn }),
  );
  const { events } = await t.logs.send(
    new FilterLogEventsCommand({ logGroupName: "/ecs/web", logStreamNamePrefix: "sample/" }),
  );
  return [
    "events:",
    ...(service.events ?? []).map((e) => `  ${e.message}`),
    "tasks:",
    ...tasks.map(
      (task) =>
        `  ${task.lastStatus} ${task.stopCode ?? ""} ${task.stoppedReason ?? ""} ${JSON.stringify(
          task.containers?.map((c) => [c.name, c.lastStatus, c.healthStatus, c.exitCode, c.reason]),
        )}`,
    ),
    "targets:",
    ...(health.TargetHealthDescriptions ?? []).map(
      (d) =>
        `  ${d.Target?.Id}:${d.Target?.Port} ${d.TargetHealth?.State} ${d.TargetHealth?.Description ?? ""}`,
    ),
    "logs:",
    ...(events ?? []).slice(-40).map((e) => `  ${e.logStreamName}: ${e.message}`),
  ].join("\n");
}

describe("the sample app (nginx + API) as an ECS service behind the load balancer", () => {
  it("becomes steady with two tasks whose targets are healthy and whose API is healthy", {
    timeout: 90_000,
  }, async () => {
    await t.ecs.send(
      new CreateServiceCommand({
        cluster: "default",
        serviceName: "web",
        taskDefinition,
        desiredCount: 2,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "DISABLED" },
        },
        loadBalancers: [
          { targetGroupArn: t.targetGroupArn, containerName: "nginx", containerPort: 8080 },
        ],
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          maximumPercent: 200,
          minimumHealthyPercent: 100,
        },
      }),
    );
    const service = await waitFor(
      "a steady sample service",
      async () => {
        const current = await t.describe();
        const [primary, ...others] = current.deployments ?? [];
        return others.length === 0 && primary?.rolloutState === "COMPLETED" ? current : undefined;
      },
      80_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnosis()}`);
    });
    expect(service.runningCount).toBe(2);
    expect(service.events?.[0]?.message).toBe("(service web) has reached a steady state.");

    const taskArns =
      (await t.ecs.send(new ListTasksCommand({ cluster: "default", serviceName: "web" })))
        .taskArns ?? [];
    const tasks =
      (await t.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: taskArns }))).tasks ??
      [];
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.lastStatus).toBe("RUNNING");
      const byName = new Map(task.containers?.map((c) => [c.name, c]));
      expect(byName.get("api")).toMatchObject({ lastStatus: "RUNNING", healthStatus: "HEALTHY" });
      expect(byName.get("nginx")).toMatchObject({ lastStatus: "RUNNING", image: images.nginx });
    }
    const ips = tasks.map(
      (task) => task.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value,
    );
    const health = await t.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: t.targetGroupArn }),
    );
    expect(
      health.TargetHealthDescriptions?.map((d) => [
        d.Target?.Id,
        d.Target?.Port,
        d.TargetHealth?.State,
      ]),
    ).toEqual(expect.arrayContaining(ips.map((ip) => [ip, 8080, "healthy"])));
    expect(health.TargetHealthDescriptions).toHaveLength(2);
  });

  it("answers /api/version and /api/healthz from the API, through nginx", async () => {
    const version = await fetch(`${t.lbUrl}/api/version`);
    expect(version.status).toBe(200);
    expect(await version.json()).toMatchObject({ releaseId: RELEASE, commit: "0123456" });
    // nginx's headers, and the API's own copy of them dropped: the request went through nginx.
    expect(version.headers.get("x-content-type-options")).toBe("nosniff");
    expect(version.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(version.headers.get("server")).toBe("nginx");

    const healthz = await fetch(`${t.lbUrl}/api/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: "ok" });
  });

  it("registers a user and creates a task through the load balancer", async () => {
    const email = `ada-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await fetch(`${t.lbUrl}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery" }),
    });
    expect(registered.status).toBe(201);
    const { token, user } = (await registered.json()) as { token: string; user: { email: string } };
    expect(user.email).toBe(email);

    const requestId = `sample-${randomUUID()}`;
    const created = await untilAccepted(
      "/api/tasks",
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "x-request-id": requestId,
        },
        body: JSON.stringify({ title: "ship it", dueDate: "2026-12-31" }),
      },
      // 401 is the other task, which has never seen this session.
      (response) => response.status !== 401,
    );
    expect(created.status).toBe(201);
    const { task } = (await created.json()) as { task: { id: string; title: string } };
    expect(task.title).toBe("ship it");

    const read = await untilAccepted(
      `/api/tasks/${task.id}`,
      { headers: { authorization: `Bearer ${token}` } },
      (response) => response.status !== 401,
    );
    expect(await read.json()).toMatchObject({ task: { id: task.id, title: "ship it" } });

    // nginx's JSON access log line of that request, shipped by awslogs to CloudWatch Logs (an
    // attempt answered 401 by the other task logs the same request id: take the accepted one).
    const logged = await waitFor(
      "the nginx access log line in CloudWatch Logs",
      async () => {
        const { events } = await t.logs.send(
          new FilterLogEventsCommand({
            logGroupName: "/ecs/web",
            logStreamNamePrefix: "sample/nginx/",
            filterPattern: `"${requestId}"`,
          }),
        );
        return events
          ?.map((event) => JSON.parse(event.message ?? "") as Record<string, unknown>)
          .find((line) => line.status === 201);
      },
      10_000,
    );
    expect(logged).toMatchObject({
      request_id: requestId,
      method: "POST",
      uri: "/api/tasks",
      upstream_status: "201",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });
});
