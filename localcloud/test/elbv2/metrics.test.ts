import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientConfig, startTestCloud } from "../helpers/cloud";

const run = promisify(execFile);

/** A target that answers 500 on `/api/*` when `failing`, and waits `?delay=ms` before answering. */
const startTarget = async (failing: boolean) => {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://target");
    const status = failing && url.pathname.includes("/api/") ? 500 : 200;
    setTimeout(
      () => {
        res.writeHead(status);
        res.end();
      },
      Number(url.searchParams.get("delay") ?? 0),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
};

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let cw: CloudWatchClient;
let targets: Array<Awaited<ReturnType<typeof startTarget>>>;
let lbUrl: string;
const dims = { lb: "", good: "", bad: "", down: "" };
let windowStart: Date;

const waitFor = async (what: string, probe: () => Promise<boolean>) => {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const query = (id: string, name: string, stat: string, targetGroup?: string): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: "AWS/ApplicationELB",
      MetricName: name,
      Dimensions: [
        { Name: "LoadBalancer", Value: dims.lb },
        ...(targetGroup ? [{ Name: "TargetGroup", Value: targetGroup }] : []),
      ],
    },
    Period: 60,
    Stat: stat,
  },
});

beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: 0.02 });
  cw = new CloudWatchClient(clientConfig(cloud));
  const elb = new ElasticLoadBalancingV2Client(clientConfig(cloud));
  targets = [await startTarget(false), await startTarget(true)];
  const lb = (
    await elb.send(new CreateLoadBalancerCommand({ Name: "metrics", Subnets: ["subnet-1"] }))
  ).LoadBalancers?.[0];
  const group = async (name: string) =>
    (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: "HTTP",
          Port: 8080,
          VpcId: "vpc-1",
          TargetType: "ip",
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn ?? "";
  const [good, bad, empty, down] = [
    await group("good"),
    await group("bad"),
    await group("empty"),
    await group("down"),
  ];
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: good }],
      }),
    )
  ).Listeners?.[0];
  for (const [priority, path, arn] of [
    [10, "/canary/*", bad],
    [20, "/empty/*", empty],
    [30, "/down/*", down],
  ] as const) {
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener?.ListenerArn,
        Priority: priority,
        Conditions: [{ Field: "path-pattern", Values: [path] }],
        Actions: [{ Type: "forward", TargetGroupArn: arn }],
      }),
    );
  }
  for (const [arn, target] of [
    [good, targets[0]],
    [bad, targets[1]],
  ] as const) {
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: "127.0.0.1", Port: target?.port }],
      }),
    );
    await waitFor("a healthy target", async () => {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return health.TargetHealthDescriptions?.[0]?.TargetHealth?.State === "healthy";
    });
  }
  // A target whose port nothing listens on: the load balancer answers 502 (fail-open routes to it).
  const closed = await startTarget(false);
  await new Promise((resolve) => closed.server.close(resolve));
  await elb.send(
    new RegisterTargetsCommand({
      TargetGroupArn: down,
      Targets: [{ Id: "127.0.0.1", Port: closed.port }],
    }),
  );
  lbUrl = `http://${lb?.DNSName}:80`;
  dims.lb = lb?.LoadBalancerArn?.split(":loadbalancer/")[1] ?? "";
  dims.good = good.split(":").at(-1) ?? "";
  dims.bad = bad.split(":").at(-1) ?? "";
  dims.down = down.split(":").at(-1) ?? "";

  windowStart = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const get = (path: string) => fetch(`${lbUrl}${path}`).then((r) => r.status);
  const statuses = [
    // 30 to the good group, 5 of them 40 ms slow: its p95 is a slow one, its median is not.
    ...(await Promise.all(
      Array.from({ length: 30 }, (_, i) => get(i % 6 === 0 ? "/api/x?delay=40" : "/api/x")),
    )),
    // 25 to the bad group, 20 of them on /api/ (500).
    ...(await Promise.all(
      Array.from({ length: 25 }, (_, i) => get(i < 20 ? "/canary/api/x" : "/canary/ok")),
    )),
    // 3 to a group without targets: the load balancer's own 503.
    ...(await Promise.all(Array.from({ length: 3 }, () => get("/empty/x")))),
    // 4 to a group whose target refuses connections: the load balancer's 502.
    ...(await Promise.all(Array.from({ length: 4 }, () => get("/down/x")))),
  ];
  expect(statuses.filter((s) => s === 500)).toHaveLength(20);
  expect(statuses.filter((s) => s === 503)).toHaveLength(3);
  expect(statuses.filter((s) => s === 502)).toHaveLength(4);
}, 60_000);

afterAll(async () => {
  await cloud?.dispose();
  for (const t of targets ?? []) t.server.close();
});

/** Sums every period's value (the requests may straddle a minute boundary). */
const total = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

describe("an application load balancer's CloudWatch metrics", () => {
  it("counts forwarded requests and target status codes per target group and per load balancer (SDK)", async () => {
    const result = await cw.send(
      new GetMetricDataCommand({
        StartTime: windowStart,
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          query("goodRequests", "RequestCount", "Sum", dims.good),
          query("badRequests", "RequestCount", "Sum", dims.bad),
          query("bad5xx", "HTTPCode_Target_5XX_Count", "Sum", dims.bad),
          query("bad2xx", "HTTPCode_Target_2XX_Count", "Sum", dims.bad),
          query("good5xx", "HTTPCode_Target_5XX_Count", "Sum", dims.good),
          query("good2xx", "HTTPCode_Target_2XX_Count", "Sum", dims.good),
          query("lbRequests", "RequestCount", "Sum"),
          query("lb5xx", "HTTPCode_Target_5XX_Count", "Sum"),
          query("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum"),
          query("elb503", "HTTPCode_ELB_503_Count", "Sum"),
          query("elb502", "HTTPCode_ELB_502_Count", "Sum"),
          query("downRequests", "RequestCount", "Sum", dims.down),
          query("downConnectionErrors", "TargetConnectionErrorCount", "Sum", dims.down),
          query("down5xx", "HTTPCode_Target_5XX_Count", "Sum", dims.down),
          query("count5xx", "HTTPCode_Target_5XX_Count", "Average", dims.bad),
        ],
      }),
    );
    const byId = Object.fromEntries(
      (result.MetricDataResults ?? []).map((r) => [r.Id, total(r.Values)]),
    );
    expect(byId).toEqual({
      goodRequests: 30,
      badRequests: 25,
      bad5xx: 20,
      bad2xx: 5,
      // A count with no occurrence is not reported at all, as AWS does.
      good5xx: 0,
      good2xx: 30,
      // The load balancer's RequestCount leaves out the 503s: no target was chosen for them.
      lbRequests: 59,
      lb5xx: 20,
      elb5xx: 7,
      elb503: 3,
      elb502: 4,
      // A target that refuses the connection: counted for its group, but not as a target 5xx.
      downRequests: 4,
      downConnectionErrors: 4,
      down5xx: 0,
      // Each request is a datapoint of 1: Average is 1.
      count5xx: expect.any(Number),
    });
    const average = result.MetricDataResults?.find((r) => r.Id === "count5xx")?.Values ?? [];
    expect(average.every((v) => v === 1)).toBe(true);
    expect(result.MetricDataResults?.find((r) => r.Id === "good5xx")?.Values).toEqual([]);
  });

  it("reports TargetResponseTime in seconds with SampleCount, Average and p95 (CLI, Query protocol)", async () => {
    const { stdout } = await run(
      "/usr/bin/aws",
      [
        "cloudwatch",
        "get-metric-data",
        "--start-time",
        windowStart.toISOString(),
        "--end-time",
        new Date(Date.now() + 60_000).toISOString(),
        "--metric-data-queries",
        JSON.stringify(
          [
            query("n", "TargetResponseTime", "SampleCount", dims.good),
            query("avg", "TargetResponseTime", "Average", dims.good),
            query("p95", "TargetResponseTime", "p95", dims.good),
            query("p50", "TargetResponseTime", "p50", dims.good),
          ].map((q) => ({ ...q, ReturnData: true })),
        ),
        "--endpoint-url",
        cloud.endpoint,
        "--output",
        "json",
      ],
      { env: { ...process.env, ...cloud.env(), AWS_CONFIG_FILE: "/dev/null" } },
    );
    const results = JSON.parse(stdout).MetricDataResults as Array<{ Id: string; Values: number[] }>;
    const values = (id: string) => results.find((r) => r.Id === id)?.Values ?? [];
    expect(total(values("n"))).toBe(30);
    // Seconds, not milliseconds: a 40 ms answer is 0.04.
    for (const p95 of values("p95")) {
      expect(p95).toBeGreaterThanOrEqual(0.035);
      expect(p95).toBeLessThan(1);
    }
    expect(values("p95").length).toBeGreaterThan(0);
    expect(Math.max(...values("p50"))).toBeLessThan(0.035);
    expect(Math.min(...values("avg"))).toBeLessThan(Math.max(...values("p95")));
  });
});
