import { rm } from "node:fs/promises";
import { join } from "node:path";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { ExitCode, RolledBackError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { run } from "../../src/lib/run";
import { runDeploy } from "../../src/release/commands";
import { parseDeployInputs } from "../../src/release/inputs";
import { type DeployServiceResult, deployService } from "../../src/service/deploy-service";
import { parseDeployServiceInputs } from "../../src/service/inputs";
import { reportDeployService } from "../../src/service/report";
import { iamActionsOf, policyActions } from "../release/iam";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, createDistribution, tempDir, type WebCloud } from "../web/cloud";
import { apiProbe, createTrafficPair } from "./traffic-pair";

/**
 * Progressive delivery on localcloud: the sample API's stand-in (same faults as app-api) behind a
 * load balancer whose production listener rule forwards to the service's target group and an
 * alternate one. ECS (localcloud) moves the rule's weights; shipline follows the service
 * deployment and judges the new target group against the old one from the load balancer's
 * CloudWatch metrics. The cloud runs at 1/20 of AWS's pace (a minute of bake lasts 3 s); the
 * analysis reads 1-second periods (localcloud records the metrics per second, real time).
 */
let stack: ServiceStack;
let routing: Record<string, string> = {};
const ROLE = "arn:aws:iam::000000000000:role/ecsInfrastructureRoleForLoadBalancers";
let release = 1;

beforeAll(async () => {
  stack = await startServiceStack();
  const { alternate, rule } = await createTrafficPair(stack);
  routing = {
    "alternate-target-group": alternate,
    "production-listener-rule": rule,
    "load-balancer-role": ROLE,
  };
  const first = await stack.createService({ RELEASE_ID: "r1" }, { desiredCount: 2 });
  await waitFor(
    "the first release to serve",
    async () => {
      const service = await stack.describe();
      return service.deployments?.length === 1 &&
        service.deployments[0]?.taskDefinition === first &&
        service.deployments[0]?.rolloutState === "COMPLETED"
        ? true
        : undefined;
    },
    120_000,
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const cloudConfig = () => ({
  endpoint: stack.cloud.endpoint,
  region: stack.cloud.region,
  credentials: stack.cloud.credentials,
});

const probe = (workers?: number) => apiProbe(stack.lbUrl, workers);

async function deploy(raw: Record<string, string>, onLine?: (line: string) => void) {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => {
      for (const line of chunk.split("\n").filter(Boolean)) {
        lines.push(
          process.env.SHOW_DEPLOY_LOG ? `${new Date().toISOString().slice(17, 23)} ${line}` : line,
        );
        onLine?.(line);
      }
    },
  } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: stream, err: stream });
  let result: DeployServiceResult | undefined;
  release += 1;
  const started = Date.now();
  const code = await run(async () => {
    result = await deployService(
      parseDeployServiceInputs({
        cluster: stack.cluster,
        service: stack.service,
        "gate-interval": "250ms",
        "gate-timeout": "4m",
        ...routing,
        "bake-time": "1m",
        analysis: "interval=1s\nmin-requests=5",
        ...raw,
        environment: [
          `api:RELEASE_ID=r${release}`,
          ...(raw.environment ? [raw.environment] : []),
        ].join("\n"),
      }),
      { clients: stack.clients, logger },
    );
    await reportDeployService(result, logger);
  }, logger);
  process.exitCode = undefined;
  if (process.env.SHOW_DEPLOY_LOG) console.log(lines.join("\n"));
  return { code, result, text: lines.join("\n"), seconds: (Date.now() - started) / 1000 };
}

const ALARM = "api-checkout-errors";

/**
 * The user's own alarm on a metric of theirs (a 10 s period lasts 0.5 s at the cloud's pace):
 * `fire` keeps it breaching, `settle` stops and waits for it to be OK again (missing data not
 * breaching) before the next deployment.
 */
function userAlarm() {
  const cloudwatch = stack.clients.cloudwatch as CloudWatchClient;
  const created = cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: "Sample",
      MetricName: "CheckoutErrors",
      Statistic: "Sum",
      Period: 10,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    }),
  );
  let feeding: ReturnType<typeof setInterval> | undefined;
  return {
    created,
    fire() {
      feeding ??= setInterval(() => {
        void cloudwatch
          .send(
            new PutMetricDataCommand({
              Namespace: "Sample",
              MetricData: [{ MetricName: "CheckoutErrors", Value: 5, StorageResolution: 1 }],
            }),
          )
          .catch(() => undefined);
      }, 100);
    },
    async settle() {
      if (feeding) clearInterval(feeding);
      await waitFor(
        "the user's alarm back to OK",
        async () =>
          (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] })))
            .MetricAlarms?.[0]?.StateValue === "OK"
            ? true
            : undefined,
        30_000,
      );
    },
  };
}

/** The API answers without a failure once the deploy has ended. */
async function afterwards(seconds = 2) {
  const traffic = probe();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return traffic.stop();
}

describe("progressive delivery of the sample API on localcloud", () => {
  it("the same 5xx release under rolling ships with exit 0: the target health gate cannot see it (the contrast)", async () => {
    const traffic = probe();
    const deployed = await deploy({
      strategy: "rolling",
      alarms: "",
      environment: "api:APP_FAULT=api-errors",
    });
    await traffic.stop();
    expect(deployed.code, deployed.text).toBe(ExitCode.Success);
    const after = await afterwards(1);
    // Every API call fails from now on.
    expect(after.failed).toBe(after.total);
    // Back to a good release for the strategies below (the service's first switch to them).
    const restored = await deploy({ strategy: "rolling", environment: "api:APP_FAULT=none" });
    expect(restored.code, restored.text).toBe(ExitCode.Success);
  }, 300_000);
  it("under rolling too, a user's alarm in ALARM in ECS's bake time, after the gate passed, is exit 1 naming it", async () => {
    // ECS returns to the last COMPLETED deployment: the restored release must be it.
    await waitSteadyOn(
      stack,
      (await stack.describe()).taskDefinition ?? "",
      "the restored release",
    );
    const alarm = userAlarm();
    await alarm.created;
    try {
      const deployed = await deploy(
        { strategy: "rolling", alarms: ALARM, environment: "api:APP_FAULT=none" },
        (line) => {
          if (line.startsWith("gate: passed")) alarm.fire();
        },
      );
      expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
      expect(deployed.result?.verdict).toBe("alarm");
      expect(deployed.text).toMatch(/waiting for ECS's bake time/);
      expect(deployed.text).toMatch(/CloudWatch alarm api-checkout-errors in ALARM/);
    } finally {
      await alarm.settle();
    }
  }, 300_000);

  it("a good release passes canary, linear and blue-green, with no failed request", async () => {
    for (const strategy of ["canary 10% 2m", "linear 50% 1m", "blue-green"]) {
      const traffic = probe(6);
      const deployed = await deploy({ strategy, environment: "api:APP_FAULT=none" });
      const seen = await traffic.stop();
      expect(deployed.code, deployed.text).toBe(ExitCode.Success);
      expect(deployed.text).toMatch(/deployment SUCCESSFUL/);
      expect(seen.total, strategy).toBeGreaterThanOrEqual(1000);
      expect(seen.failed, `${strategy}: ${seen.errors.join("; ")}`).toBe(0);
      console.log(
        `${strategy}: ${deployed.seconds.toFixed(1)} s, ${seen.total} requests, 0 failed`,
      );
    }
  }, 600_000);

  it("a canary answering 5xx on /api is stopped by the analysis and rolled back: exit 1, few failed requests, none after", async () => {
    const since = stack.cloud.requestLog.lastSeq;
    const traffic = probe();
    // ECS's default share: 5% of the traffic meets the new revision while it is judged. The
    // cloud runs 20 times faster than AWS, the metric periods do not: one failing second here
    // stands for the two failing minutes the defaults wait for on AWS.
    const deployed = await deploy({
      strategy: "canary 5% 2m",
      environment: "api:APP_FAULT=api-errors",
      analysis: "interval=1s\nmin-requests=5\nconsecutive-failures=1",
    });
    const during = await traffic.stop();
    expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
    expect(deployed.result?.verdict).toBe("analysis-failed");
    expect(deployed.result?.diagnosis?.headline).toMatch(
      /^analysis failed: 5xx rate of the new target group \d+\.\d% \(\d+ of \d+ requests\) over 5%.*points over the limit/,
    );
    // Sample requests from the new task's own log.
    expect(deployed.text).toMatch(/\| .*"msg":"request".*"fault":"api-errors"/);
    expect(deployed.text).toMatch(/ROLLBACK_SUCCESSFUL/);
    const share = during.failed / during.total;
    console.log(
      `canary api-errors: ${deployed.seconds.toFixed(1)} s, ${during.failed} of ${during.total} failed (${(share * 100).toFixed(2)}%)`,
    );
    expect(share, during.errors.join("; ")).toBeLessThanOrEqual(0.02);
    const after = await afterwards();
    expect(after.failed, after.errors.join("; ")).toBe(0);
    expect(after.total).toBeGreaterThan(0);
    // The deploy role's policy allows every call the canary, its analysis and rollback made.
    const allowed = await policyActions("deploy");
    const needed = stack.cloud.requestLog
      .list({ sinceSeq: since })
      .flatMap((call) => iamActionsOf(call.service, call.operation));
    expect([...new Set(needed)].filter((action) => !allowed.has(action))).toEqual([]);
  }, 300_000);

  it("a canary whose API calls take 2 s is stopped by the latency rule", async () => {
    const traffic = probe(16);
    const deployed = await deploy({ strategy: "canary 10% 2m", environment: "api:APP_FAULT=slow" });
    await traffic.stop();
    expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
    expect(deployed.result?.verdict).toBe("analysis-failed");
    expect(deployed.result?.diagnosis?.headline).toMatch(
      /p95 latency of the new target group \d+ ms over 1.5×/,
    );
  }, 300_000);

  it("a user's alarm in ALARM during the canary's bake rolls the deployment back: exit 1, the alarm named", async () => {
    const alarm = userAlarm();
    await alarm.created;
    try {
      const deployed = await deploy(
        {
          strategy: "canary 10% 2m",
          alarms: ALARM,
          analysis: "enabled=false",
          environment: "api:APP_FAULT=none",
        },
        (line) => {
          // The alarm goes off once the new revision bakes with production traffic.
          if (/traffic new 10% /.test(line)) alarm.fire();
        },
      );
      expect(deployed.code, deployed.text).toBe(ExitCode.FailedRolledBack);
      expect(deployed.result?.verdict).toBe("alarm");
      expect(deployed.text).toMatch(/CloudWatch alarm api-checkout-errors in ALARM/);
    } finally {
      await alarm.settle();
    }
  }, 300_000);

  it("a release whose API fails the canary's analysis publishes no site: exit 1, the record says so, the guard's alarm beside the user's", async () => {
    const s3 = new S3Client({ ...cloudConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "site" }));
    const cloud = stack.cloud as unknown as WebCloud;
    const distribution = await createDistribution(cloud, "site");
    const edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
    const folder = await tempDir("canary-release");
    const site = await buildSite(join(folder, "web"), { releaseId: "web-one" });
    const lines: string[] = [];
    const logger = new TerminalLogger({
      out: { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream,
      err: { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream,
    });
    const traffic = probe();
    const released = runDeploy(
      parseDeployInputs({
        environment: "production",
        url: edge,
        bucket: "site",
        cluster: stack.cluster,
        service: stack.service,
        "distribution-id": distribution,
        "gate-interval": "1s",
        "gate-timeout": "4m",
        images: `api=${stack.apiImage}`,
        "container-env": "api:APP_FAULT=api-errors",
        source: site.dir,
        strategy: "canary 5% 2m",
        "bake-time": "1m",
        analysis: "interval=1s\nmin-requests=5\nconsecutive-failures=1",
        alarms: "api-checkout-errors",
        ...routing,
      }),
      {},
      {
        s3,
        cloudfront: () => new CloudFrontClient(cloudConfig()),
        cloudwatch: () => stack.clients.cloudwatch as CloudWatchClient,
        service: stack.clients,
        ecr: () => stack.clients.ecr,
        clock: systemClock,
        logger,
        env: {
          ...stack.cloud.env(),
          GITHUB_RUN_ID: "7",
          GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        },
      },
    );
    const failure = await released.catch((error: unknown) => error);
    await traffic.stop();
    const text = lines.join("");
    if (process.env.SHOW_DEPLOY_LOG) console.log(text);
    expect(failure, text).toBeInstanceOf(RolledBackError);
    expect(text).toMatch(/analysis failed: 5xx rate of the new target group/);
    const ledger = new Ledger(s3, "site", ".shipline/", "production");
    expect(await ledger.read("0123456789ab-7.1")).toMatchObject({
      status: "rolled-back",
      failure: { step: "service" },
    });
    expect(await ledger.live()).toBeUndefined();
    // Not one file of the site went up.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "site" }));
    expect((listed.Contents ?? []).filter((o) => !o.Key?.startsWith(".shipline/"))).toEqual([]);
    // ECS watched the release's heartbeat alarm and the user's together.
    const alarms = (await stack.describe()).deploymentConfiguration?.alarms;
    expect(alarms?.alarmNames?.sort()).toEqual([
      "api-checkout-errors",
      "shipline-production-release-heartbeat",
    ]);
    expect(alarms?.rollback).toBe(true);
    await rm(folder, { recursive: true, force: true });
  }, 300_000);
});
