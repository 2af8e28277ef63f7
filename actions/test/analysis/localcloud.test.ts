import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetricWindow, readIntervalSamples } from "../../src/analysis/metrics";
import { DEFAULT_ANALYSIS_SETTINGS } from "../../src/analysis/settings";
import { analyse } from "../../src/analysis/verdict";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * The analysis against real traffic: a localcloud ALB splits /api/ requests between an old target
 * group and a new one, publishes its metrics into localcloud's CloudWatch, and the analysis reads
 * them back. localcloud keeps the ALB's metrics per second, so one-second periods stand in for
 * AWS's one-minute ones and the test runs in seconds.
 */
interface TestCloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dispose(): Promise<void>;
}

const load = async <T>(path: string): Promise<T> =>
  (await import(/* @vite-ignore */ join(REPO_ROOT, path))) as T;

/** A target that answers 500 on /api/* when `broken` (and 200 on /health), like APP_FAULT=api-errors. */
const startTarget = async (broken: boolean) => {
  const server: Server = createServer((req, res) => {
    res.writeHead(broken && req.url?.startsWith("/api/") ? 500 : 200);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
};

let cloud: TestCloud;
let servers: Server[] = [];
const arns = { lb: "", old: "", broken: "", good: "" };
const urls = { canaryBroken: "", canaryGood: "" };
let trafficWindow: { start: Date; end: Date };

const waitFor = async (what: string, probe: () => Promise<boolean>) => {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  const helpers = await load<{ startTestCloud(options: unknown): Promise<TestCloud> }>(
    "localcloud/test/helpers/cloud.ts",
  );
  const { elbv2Service } = await load<{ elbv2Service: unknown }>(
    "localcloud/src/services/elbv2/index.ts",
  );
  const { monitoringService } = await load<{ monitoringService: unknown }>(
    "localcloud/src/services/monitoring/index.ts",
  );
  // Health checks every 5 s at 1/50 of AWS's pace: every 100 ms.
  cloud = await helpers.startTestCloud({
    timeScale: 0.02,
    services: [elbv2Service, monitoringService],
  });
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
  const elb = new ElasticLoadBalancingV2Client(config);
  const [oldTarget, brokenTarget, goodTarget] = [
    await startTarget(false),
    await startTarget(true),
    await startTarget(false),
  ];
  servers = [oldTarget.server, brokenTarget.server, goodTarget.server];
  const lb = (
    await elb.send(new CreateLoadBalancerCommand({ Name: "analysis", Subnets: ["subnet-1"] }))
  ).LoadBalancers?.[0];
  arns.lb = lb?.LoadBalancerArn ?? "";
  const group = async (name: string, port: number) => {
    const arn =
      (
        await elb.send(
          new CreateTargetGroupCommand({
            Name: name,
            Protocol: "HTTP",
            Port: 8080,
            VpcId: "vpc-1",
            TargetType: "ip",
            HealthCheckPath: "/health",
            HealthCheckIntervalSeconds: 5,
            HealthCheckTimeoutSeconds: 2,
            HealthyThresholdCount: 2,
          }),
        )
      ).TargetGroups?.[0]?.TargetGroupArn ?? "";
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: "127.0.0.1", Port: port }],
      }),
    );
    return arn;
  };
  arns.old = await group("api-old", oldTarget.port);
  arns.broken = await group("api-broken", brokenTarget.port);
  arns.good = await group("api-good", goodTarget.port);
  // Two canaries on one load balancer: half the traffic of each listener to the new group.
  for (const [port, fresh] of [
    [80, arns.broken],
    [8080, arns.good],
  ] as const) {
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: arns.lb,
        Protocol: "HTTP",
        Port: port,
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: arns.old, Weight: 1 },
                { TargetGroupArn: fresh, Weight: 1 },
              ],
            },
          },
        ],
      }),
    );
  }
  // Health checks start once a listener uses the group.
  for (const arn of [arns.old, arns.broken, arns.good]) {
    await waitFor("a healthy target", async () => {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return health.TargetHealthDescriptions?.[0]?.TargetHealth?.State === "healthy";
    });
  }
  urls.canaryBroken = `http://${lb?.DNSName}:80`;
  urls.canaryGood = `http://${lb?.DNSName}:8080`;

  // Three whole seconds of traffic (about 100 requests a second on each listener).
  const start = Math.ceil(Date.now() / 1000) * 1000;
  await new Promise((r) => setTimeout(r, start - Date.now()));
  const end = start + 3000;
  while (Date.now() < end - 50) {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        Promise.all([
          fetch(`${urls.canaryBroken}/api/items/${i}`).then((r) => r.arrayBuffer()),
          fetch(`${urls.canaryGood}/api/items/${i}`).then((r) => r.arrayBuffer()),
        ]),
      ),
    );
    await new Promise((r) => setTimeout(r, 40));
  }
  await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now())));
  trafficWindow = { start: new Date(start), end: new Date(end) };
}, 60_000);

afterAll(async () => {
  await cloud?.dispose();
  for (const server of servers) server.close();
});

/**
 * AWS's defaults but for the fewest requests a period needs: the traffic above is about 100
 * requests a second when the machine is quiet, and a loaded one sends fewer (11 to the new group
 * in one second was seen); the verdicts below do not depend on how many.
 */
const SETTINGS = { ...DEFAULT_ANALYSIS_SETTINGS, minRequests: 5 };

const windowFor = (newTargetGroup: string): MetricWindow => ({
  loadBalancer: arns.lb,
  newTargetGroup,
  oldTargetGroup: arns.old,
  ...trafficWindow,
  periodSeconds: 1,
});
const cloudwatch = () =>
  new CloudWatchClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
  });

describe("the analysis on a localcloud ALB's metrics", () => {
  it("reads a failing verdict naming the 5xx rate for a new group whose /api/ answers 500", async () => {
    const samples = await readIntervalSamples(cloudwatch(), windowFor(arns.broken));
    expect(samples).toHaveLength(3);
    for (const sample of samples) {
      expect(sample.new.requests).toBeGreaterThanOrEqual(SETTINGS.minRequests);
      expect(sample.new.errors5xx).toBe(sample.new.requests);
      expect(sample.new.p95Seconds).toBeGreaterThan(0);
    }
    const overall = analyse(samples, SETTINGS);
    expect(overall.verdict).toBe("failing");
    expect(overall.consecutiveFailing).toBe(2);
    expect(overall.message).toMatch(
      /last: 5xx rate of the new target group 100\.0% \((\d+) of \1 requests\) over 5% and over 2× the old 0\.0%/,
    );
  });

  it("reads a healthy verdict for a new group as good as the old one", async () => {
    const samples = await readIntervalSamples(cloudwatch(), windowFor(arns.good));
    expect(samples).toHaveLength(3);
    // The old group took traffic from both listeners, the good new one from one: no 5xx anywhere.
    for (const sample of samples) {
      expect(sample.new.requests).toBeGreaterThanOrEqual(SETTINGS.minRequests);
      expect(sample.new.errors5xx + sample.old.errors5xx).toBe(0);
    }
    const overall = analyse(samples, SETTINGS);
    expect(overall.verdict).toBe("healthy");
    expect(overall.intervals.map((i) => i.verdict)).toEqual(["healthy", "healthy", "healthy"]);
  });
});
