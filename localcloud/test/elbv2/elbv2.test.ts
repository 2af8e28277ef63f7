import { execFile } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientConfig, startTestCloud } from "../helpers/cloud";

const run = promisify(execFile);

/** A target: an HTTP server whose health answer and identity the test controls. */
const startTarget = async (name: string) => {
  const target = { name, healthStatus: 200, port: 0, server: undefined as unknown as Server };
  target.server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(target.healthStatus);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ name, path: req.url, xff: req.headers["x-forwarded-for"] }));
  });
  await new Promise<void>((resolve) => target.server.listen(0, "127.0.0.1", resolve));
  target.port = (target.server.address() as AddressInfo).port;
  return target;
};

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let elb: ElasticLoadBalancingV2Client;
let targets: Awaited<ReturnType<typeof startTarget>>[];
let lbUrl: string;
let lbArn: string;
let tgArn: string;
let apiTgArn: string;

const health = async (arn: string) =>
  (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })))
    .TargetHealthDescriptions ?? [];

const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  // 5 s intervals at 1/50 of AWS's pace: a check every 100 ms.
  cloud = await startTestCloud({ timeScale: 0.02 });
  elb = new ElasticLoadBalancingV2Client(clientConfig(cloud));
  targets = await Promise.all(["a", "b", "api"].map(startTarget));
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({
        Name: "web",
        Subnets: ["subnet-1", "subnet-2"],
        Type: "application",
      }),
    )
  ).LoadBalancers?.[0];
  lbArn = lb?.LoadBalancerArn ?? "";
  const tgSettings = {
    Protocol: "HTTP" as const,
    Port: 8080,
    VpcId: "vpc-1",
    TargetType: "ip" as const,
    HealthCheckPath: "/healthz",
    HealthCheckIntervalSeconds: 5,
    HealthCheckTimeoutSeconds: 2,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
  };
  tgArn =
    (await elb.send(new CreateTargetGroupCommand({ Name: "web", ...tgSettings }))).TargetGroups?.[0]
      ?.TargetGroupArn ?? "";
  apiTgArn =
    (await elb.send(new CreateTargetGroupCommand({ Name: "api", ...tgSettings }))).TargetGroups?.[0]
      ?.TargetGroupArn ?? "";
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tgArn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
    }),
  );
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
      }),
    )
  ).Listeners?.[0];
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: listener?.ListenerArn,
      Priority: 10,
      Conditions: [{ Field: "path-pattern", Values: ["/api/*"] }],
      Actions: [{ Type: "forward", TargetGroupArn: apiTgArn }],
    }),
  );
  lbUrl = `http://${lb?.DNSName}:80`;
});

afterAll(async () => {
  await cloud?.dispose();
  for (const t of targets ?? []) t.server.close();
});

describe("an application load balancer", () => {
  it("health-checks registered targets until they are healthy", async () => {
    const [a, b, api] = targets as [(typeof targets)[0], (typeof targets)[0], (typeof targets)[0]];
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tgArn,
        Targets: [
          { Id: "127.0.0.1", Port: a.port },
          { Id: "127.0.0.1", Port: b.port },
        ],
      }),
    );
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: apiTgArn,
        Targets: [{ Id: "127.0.0.1", Port: api.port }],
      }),
    );
    const first = await health(tgArn);
    expect(first.map((d) => d.TargetHealth?.State)).toEqual(["initial", "initial"]);
    await waitFor("healthy", async () =>
      (await health(tgArn)).every((d) => d.TargetHealth?.State === "healthy") ? true : undefined,
    );
  });

  it("balances requests round robin and routes /api/* by rule", async () => {
    const names = [];
    for (let i = 0; i < 6; i++)
      names.push(((await (await fetch(`${lbUrl}/page`)).json()) as { name: string }).name);
    expect(names.filter((n) => n === "a")).toHaveLength(3);
    expect(names.filter((n) => n === "b")).toHaveLength(3);
    await waitFor("api healthy", async () =>
      (await health(apiTgArn))[0]?.TargetHealth?.State === "healthy" ? true : undefined,
    );
    const api = (await (await fetch(`${lbUrl}/api/tasks`)).json()) as { name: string; xff: string };
    expect(api.name).toBe("api");
    expect(api.xff).toBe("127.0.0.1");
  });

  it("marks a target unhealthy with AWS's reason and stops sending it traffic", async () => {
    const [a] = targets as [(typeof targets)[0]];
    a.healthStatus = 503;
    const unhealthy = await waitFor("unhealthy", async () =>
      (await health(tgArn)).find((d) => d.TargetHealth?.State === "unhealthy"),
    );
    expect(unhealthy.Target?.Port).toBe(a.port);
    expect(unhealthy.TargetHealth).toMatchObject({
      Reason: "Target.ResponseCodeMismatch",
      Description: "Health checks failed with these codes: [503]",
    });
    for (let i = 0; i < 4; i++)
      expect(((await (await fetch(`${lbUrl}/`)).json()) as { name: string }).name).toBe("b");
  });

  it("fails open when no target is healthy", async () => {
    const [a, b] = targets as [(typeof targets)[0], (typeof targets)[0]];
    b.healthStatus = 500;
    await waitFor("all unhealthy", async () =>
      (await health(tgArn)).every((d) => d.TargetHealth?.State === "unhealthy") ? true : undefined,
    );
    const names = new Set<string>();
    for (let i = 0; i < 4; i++)
      names.add(((await (await fetch(`${lbUrl}/`)).json()) as { name: string }).name);
    expect(names).toEqual(new Set(["a", "b"]));
    a.healthStatus = 200;
    b.healthStatus = 200;
    await waitFor("recovered", async () =>
      (await health(tgArn)).every((d) => d.TargetHealth?.State === "healthy") ? true : undefined,
    );
  });

  it("drains a deregistered target, then forgets it", async () => {
    const [a] = targets as [(typeof targets)[0]];
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tgArn,
        Targets: [{ Id: "127.0.0.1", Port: a.port }],
      }),
    );
    const draining = (await health(tgArn)).find((d) => d.Target?.Port === a.port);
    expect(draining?.TargetHealth).toMatchObject({
      State: "draining",
      Reason: "Target.DeregistrationInProgress",
    });
    for (let i = 0; i < 4; i++)
      expect(((await (await fetch(`${lbUrl}/`)).json()) as { name: string }).name).toBe("b");
    await waitFor("gone", async () => ((await health(tgArn)).length === 1 ? true : undefined));
    const asked = await elb.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: tgArn,
        Targets: [{ Id: "127.0.0.1", Port: a.port }],
      }),
    );
    expect(asked.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: "unused",
      Reason: "Target.NotRegistered",
    });
  });

  it("answers 503 when a group has no targets", async () => {
    const [, b] = targets as [(typeof targets)[0], (typeof targets)[0]];
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tgArn,
        Targets: [{ Id: "127.0.0.1", Port: b.port }],
      }),
    );
    await waitFor("empty", async () => ((await health(tgArn)).length === 0 ? true : undefined));
    expect((await fetch(`${lbUrl}/`)).status).toBe(503);
  });

  it("refuses invalid health-check settings with AWS's error", async () => {
    await expect(
      elb.send(
        new CreateTargetGroupCommand({
          Name: "bad",
          Protocol: "HTTP",
          Port: 80,
          VpcId: "v",
          TargetType: "ip",
          HealthCheckIntervalSeconds: 1,
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("routes by host-header rules, case-insensitively, and refuses host names ELBv2 would", async () => {
    const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
      .Listeners?.[0];
    const created = await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener?.ListenerArn,
        Priority: 5,
        Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["pr-?.Preview.test"] } }],
        Actions: [
          {
            Type: "fixed-response",
            FixedResponseConfig: { StatusCode: "200", MessageBody: "by host" },
          },
        ],
      }),
    );
    const viaHost = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const url = new URL(lbUrl);
        const outgoing = httpRequest(
          { host: url.hostname, port: url.port, path: "/", headers: { host } },
          (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString()));
            response.on("end", () => resolve(body));
          },
        );
        outgoing.once("error", reject).end();
      });
    expect(await viaHost("PR-7.preview.TEST:80")).toBe("by host");
    expect(await viaHost("pr-17.preview.test")).not.toBe("by host");
    for (const bad of [
      "localhost",
      "pr-1.preview.t3st",
      "bad host.example.com",
      `${"a".repeat(125)}.com`,
    ]) {
      await expect(
        elb.send(
          new CreateRuleCommand({
            ListenerArn: listener?.ListenerArn,
            Priority: 6,
            Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [bad] } }],
            Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "200" } }],
          }),
        ),
        bad,
      ).rejects.toMatchObject({ name: "ValidationError" });
    }
    await elb.send(new DeleteRuleCommand({ RuleArn: created.Rules?.[0]?.RuleArn }));
  });

  it("is driven by the AWS CLI v2", async () => {
    const { stdout } = await run(
      "/usr/bin/aws",
      [
        "elbv2",
        "describe-target-health",
        "--target-group-arn",
        apiTgArn,
        "--endpoint-url",
        cloud.endpoint,
        "--output",
        "json",
      ],
      { env: { ...process.env, ...cloud.env(), AWS_CONFIG_FILE: "/dev/null" } },
    );
    expect(JSON.parse(stdout).TargetHealthDescriptions[0].TargetHealth.State).toBe("healthy");
  });
});
