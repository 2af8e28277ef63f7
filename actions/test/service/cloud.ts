import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadEcsStackHelper } from "../../scripts/demo/ecs-stack";
import { sampleImageInputs } from "../../scripts/sample-images";
import { buildImage } from "../../src/images/build-image";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import type { ServiceClients } from "../../src/service/clients";
import { REPO_ROOT } from "../helpers/fixtures";
import { buildBaseImage, pushLayout } from "../helpers/localcloud";

/**
 * localcloud with ECS (tasks are real containers), ELBv2 (real health checks, a listener proxy),
 * ECR and CloudWatch Logs, loaded by path at run time so the toolkit's type-checked project never
 * depends on localcloud's sources; the shapes used are declared here.
 */
export interface LogEntry {
  seq: number;
  /** ISO time of the request. */
  time: string;
  service: string;
  operation: string;
  /** The request's path (for S3: bucket and key, path-style). */
  path: string;
  status: number;
}

export interface EcsCloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requestLog: {
    lastSeq: number;
    list(filter?: { sinceSeq?: number; service?: string; operation?: string }): LogEntry[];
  };
  env(): Record<string, string>;
  dispose(): Promise<void>;
}

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ join(REPO_ROOT, path))) as T;
}

/**
 * A stand-in for app-api's bundle with the same contract: /healthz, /version (RELEASE_ID),
 * APP_FAULT=unhealthy (503 on /healthz), APP_FAULT=crash-on-start (exit 1 with a reason),
 * APP_FAULT=api-errors (500 on /api/*) and APP_FAULT=slow (/api/* answers after 2 s), and a
 * migrate.mjs. The real bundle initialises PGlite at start, which takes tens of seconds on
 * a busy two-core machine; this one listens at once, so each rollout takes seconds.
 */
async function writeApp(folder: string, build: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, "server.mjs"),
    `import { createServer } from "node:http";
const fault = process.env.APP_FAULT ?? "none";
const log = (msg, extra = {}) => console.log(JSON.stringify({ level: 30, msg, ...extra }));
if (fault === "crash-on-start") {
  console.error(JSON.stringify({ level: 60, msg: "APP_FAULT=crash-on-start: this release refuses to start" }));
  process.exit(1);
}
const isApiCall = (url) => (url === "/api" || url.startsWith("/api/")) && url !== "/api/healthz";
const answer = (req, res) => {
  if (fault === "api-errors" && isApiCall(req.url)) {
    res.statusCode = 500;
    res.end(JSON.stringify({ error: { code: "internal", message: "APP_FAULT=api-errors: every API call fails on purpose" } }));
    return;
  }
  res.end(JSON.stringify({ releaseId: process.env.RELEASE_ID ?? "dev", build: ${JSON.stringify(build)} }));
};
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/healthz") {
    res.statusCode = fault === "unhealthy" ? 503 : 200;
    res.end(JSON.stringify(fault === "unhealthy" ? { status: "unhealthy", reason: "APP_FAULT=unhealthy" } : { status: "ok" }));
    return;
  }
  if (fault !== "none" && isApiCall(req.url)) log("request", { method: req.method, url: req.url, fault });
  if (fault === "slow" && isApiCall(req.url)) setTimeout(() => answer(req, res), 2000);
  else answer(req, res);
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "0.0.0.0", () => log("Server listening", { port: server.address().port }));
process.on("SIGTERM", () => { log("draining"); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 3000).unref(); });
`,
  );
  await writeFile(
    join(folder, "migrate.mjs"),
    `const fail = process.env.MIGRATION_FAULT;
if (fail) { console.error(JSON.stringify({ level: 60, msg: "migrate failed: " + fail })); process.exit(3); }
console.log(JSON.stringify({ level: 30, msg: "applied 1 migration(s): 0001_init" }));
`,
  );
  return folder;
}

/** app-api's real bundle (server.mjs, migrate.mjs and PGlite's files), built into `outDir`. */
async function buildApiBundle(outDir: string): Promise<string> {
  const module = await load<{ buildApi(options: { outDir: string }): Promise<{ outDir: string }> }>(
    "app-api/scripts/build-api.ts",
  );
  return (await module.buildApi({ outDir })).outDir;
}

const quiet = {
  write: () => true,
} as unknown as NodeJS.WritableStream;

export interface ServiceStack {
  cloud: EcsCloud;
  clients: ServiceClients;
  registry: string;
  /** Two builds of the app (the stand-in, or app-api) on the node base, by digest (shipline's builder). */
  apiImage: string;
  apiImageNext: string;
  targetGroupArn: string;
  lbUrl: string;
  cluster: string;
  service: string;
  /** Registers the first revision of family "web" and creates the service on it. */
  createService(
    environment: Record<string, string>,
    options?: { desiredCount?: number; gracePeriodSeconds?: number },
  ): Promise<string>;
  describe(): Promise<Service>;
  dispose(): Promise<void>;
}

/**
 * One cloud per test file (each needs its own task network): a load balancer with a listener on
 * port 80, a target group on the API's port 3000 with /healthz, a log group, a cluster, and the
 * API image built by shipline's own image builder and pushed to the cloud's ECR.
 */
export async function startServiceStack(
  options: { app?: "stand-in" | "api" } = {},
): Promise<ServiceStack> {
  const fixtures = await load<{
    requireContainerPrivileges(): Promise<void>;
    uniqueTestNetwork(): Promise<{ bridge: string; subnet: string }>;
  }>("localcloud/test/runtime/fixtures.ts");
  const helpers = await load<{ startTestCloud(options: unknown): Promise<EcsCloud> }>(
    "localcloud/test/helpers/cloud.ts",
  );
  const stack = await loadEcsStackHelper();
  await fixtures.requireContainerPrivileges();
  const taskNetwork = await fixtures.uniqueTestNetwork();
  // AWS's 5 s health-check intervals at 1/20 of the pace: a check every 250 ms.
  const cloud = await helpers.startTestCloud({ timeScale: 0.05, taskNetwork });
  // The release guard's heartbeat at the cloud's pace: its 10 s alarm periods last 500 ms here.
  const cloudEnv = cloud.env.bind(cloud);
  cloud.env = () => ({ ...cloudEnv(), SHIPLINE_RELEASE_HEARTBEAT_MS: "100" });
  const work = await mkdtemp(join(tmpdir(), "deploy-service-"));
  try {
    const config = {
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: cloud.credentials,
      maxAttempts: 5,
    };
    const clients: ServiceClients = {
      ecs: new ECSClient(config),
      elb: new ElasticLoadBalancingV2Client(config),
      ecr: new ECRClient(config),
      logs: new CloudWatchLogsClient(config),
      cloudwatch: new CloudWatchClient(config),
    };
    const realApi = options.app === "api";
    const [base, bundle] = await Promise.all([
      buildBaseImage("node"),
      realApi ? buildApiBundle(join(work, "api")) : writeApp(join(work, "api"), "1"),
    ]);
    for (const name of ["base/node", "shipline/api"]) {
      await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    }
    const { registry, username, password } = await stack.ecrLogin(clients.ecr);
    const pushedBase = await pushLayout(base.reference, {
      registry,
      repository: "base/node",
      tag: base.tag,
      username,
      password,
    });
    // A second build differs by one file, so it has its own digest.
    const next = join(work, "api-next");
    if (realApi) {
      // The same bundle plus one file: another digest, the same code.
      await cp(bundle, next, { recursive: true });
      await writeFile(join(next, "BUILD"), "2\n");
    } else {
      await writeApp(next, "2");
    }
    const build = async (context: string, tag: string) => {
      const lines: string[] = [];
      const logger = new TerminalLogger({
        out: { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream,
        err: quiet,
      });
      await buildImage(
        parseBuildImageInputs({
          ...(await sampleImageInputs("api")),
          repository: "shipline/api",
          context,
          tags: tag,
          "base-image": `${registry}/base/node@${pushedBase.digest}`,
          "source-date-epoch": "1700000000",
        }),
        { logger, ecr: () => clients.ecr },
      );
      const image = /^image=(.+)$/m.exec(lines.join(""))?.[1];
      if (!image) throw new Error(`build-image gave no image:\n${lines.join("")}`);
      return image;
    };
    const apiImage = await build(bundle, "r1");
    const apiImageNext = await build(next, "r2");

    const front = await stack.createServiceFront(clients, {
      loadBalancer: "web",
      targetGroup: "api",
      port: 3000,
      // 20 s at the cloud's pace is a check a second, with a 1 s timeout: enough for a
      // healthy task to answer on a busy machine, quick enough to fail a bad one in seconds.
      healthCheck: { intervalSeconds: 20, timeoutSeconds: 10 },
      deregistrationDelaySeconds: 10,
      cluster: "shipline",
      logGroup: "/ecs/web",
    });
    const { targetGroupArn } = front;

    const createService = async (
      environment: Record<string, string>,
      serviceOptions: { desiredCount?: number; gracePeriodSeconds?: number } = {},
    ) => {
      const { desiredCount = 2, gracePeriodSeconds = 60 } = serviceOptions;
      const registered = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "web",
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [
            {
              name: "api",
              image: apiImage,
              essential: true,
              environment: stack.environmentOf(environment),
              portMappings: [{ containerPort: 3000, protocol: "tcp" }],
              stopTimeout: 5,
              logConfiguration: stack.awsLogs("/ecs/web", cloud.region, "web"),
            },
          ],
        }),
      );
      const arn = registered.taskDefinition?.taskDefinitionArn ?? "";
      await stack.createFargateService(clients.ecs, {
        cluster: "shipline",
        service: "web",
        taskDefinition: arn,
        desiredCount,
        targetGroupArn,
        container: "api",
        port: 3000,
        // At the cloud's pace 60 s is 3 s for the app to start before ECS counts failed checks.
        gracePeriodSeconds,
      });
      return arn;
    };
    const describe = async (): Promise<Service> =>
      (
        await clients.ecs.send(
          new DescribeServicesCommand({ cluster: "shipline", services: ["web"] }),
        )
      ).services?.[0] ?? {};

    return {
      cloud,
      clients,
      registry,
      apiImage,
      apiImageNext,
      targetGroupArn,
      lbUrl: front.url,
      cluster: "shipline",
      service: "web",
      createService,
      describe,
      async dispose() {
        await cloud.dispose();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await cloud.dispose();
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** Polls until `probe` gives a value; bounded. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the service's only deployment runs `taskDefinitionArn` and ECS calls it COMPLETED. */
export function waitSteadyOn(
  stack: Pick<ServiceStack, "describe">,
  taskDefinitionArn: string,
  what = "the first revision steady",
): Promise<true> {
  return waitFor(
    what,
    async () => {
      const [primary, ...others] = (await stack.describe()).deployments ?? [];
      return others.length === 0 &&
        primary?.taskDefinition === taskDefinitionArn &&
        primary.rolloutState === "COMPLETED"
        ? true
        : undefined;
    },
    90_000,
  );
}

/** Sends requests through the load balancer until stopped; counts what failed and what answered. */
export function startProbe(url: string) {
  let running = true;
  const results = { ok: 0, failed: 0, releases: new Set<string>(), errors: [] as string[] };
  const worker = async () => {
    while (running) {
      try {
        const response = await fetch(url);
        const text = await response.text();
        if (response.status === 200) {
          results.ok += 1;
          results.releases.add((JSON.parse(text) as { releaseId: string }).releaseId);
        } else {
          results.failed += 1;
          results.errors.push(`${response.status} ${text.slice(0, 100)}`);
        }
      } catch (error) {
        results.failed += 1;
        results.errors.push(String(error));
      }
    }
  };
  const workers = [worker(), worker()];
  return {
    results,
    async stop() {
      running = false;
      await Promise.all(workers);
      return results;
    },
  };
}
