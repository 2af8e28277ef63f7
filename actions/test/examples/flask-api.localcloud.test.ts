import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  createFlaskApiStack,
  createWorkerService,
  EXAMPLE_DIR,
  FLASK_API,
  type FlaskApiStack,
  writeExampleConfig,
} from "../../scripts/examples/flask-api";
import { configSchema } from "../../src/config/schema";
import { ExitCode } from "../../src/lib/errors";
import { REPO_ROOT } from "../helpers/fixtures";
import { type RunEnd, runShipline } from "../release/shipline-run";
import { type EcsCloud, waitFor } from "../service/cloud";

/**
 * examples/flask-api released as its own shipline.yml says, on one localcloud for the whole file:
 * its image built by buildah from its Dockerfile on the Python base with Debian's Flask, its task
 * definition file with a secret from SSM, a bad release rolled back with the health check's path
 * and port in deploy's own output, and a task definition change (memory, a second secret).
 */
const TOKEN = "example-token-from-ssm";
let cloud: EcsCloud;
let stack: FlaskApiStack;
let tmp = "";
let config = "";
/** The task definition the first good release registered, which the bad one must return to. */
let goodArn = "";
let goodRelease = "";
/**
 * Quicker polls than the example's; the grace covers Flask's start on a busy machine (its
 * modules compile at each start: the image has no caches), during which the target group's
 * first checks fail.
 */
const GATE = { gate: { timeout: "2m", interval: "1s", "healthy-polls": 2, "grace-period": "10s" } };

/** The same file with the worker as a second service: runs once shipline accepts `services:`. */
const multiServiceAccepted = configSchema.safeParse(
  parse(await readFile(join(EXAMPLE_DIR, "shipline.with-worker.yml"), "utf8")),
).success;

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ join(REPO_ROOT, path))) as T;
}

const TIME_SCALE = 0.05;

beforeAll(async () => {
  const fixtures = await load<{
    requireContainerPrivileges(): Promise<void>;
    uniqueTestNetwork(): Promise<{ bridge: string; subnet: string }>;
  }>("localcloud/test/runtime/fixtures.ts");
  const helpers = await load<{ startTestCloud(options: unknown): Promise<typeof cloud> }>(
    "localcloud/test/helpers/cloud.ts",
  );
  await fixtures.requireContainerPrivileges();
  // AWS's 5 s health-check intervals at 1/20 of the pace: a check every 250 ms.
  cloud = await helpers.startTestCloud({
    timeScale: TIME_SCALE,
    taskNetwork: await fixtures.uniqueTestNetwork(),
  });
  tmp = await mkdtemp(join(tmpdir(), "flask-api-example-"));
  stack = await createFlaskApiStack(cloud, {
    baseImageCache: join(REPO_ROOT, ".state", "base-images"),
    token: TOKEN,
    // At the cloud's pace: a check every 2 s with 1 s to answer, and 15 s before ECS replaces a
    // task that fails them (Flask starts in seconds on a busy machine).
    healthCheck: { intervalSeconds: 40, timeoutSeconds: 20 },
    deregistrationDelaySeconds: 10,
    gracePeriodSeconds: 300,
  });
  config = await writeExampleConfig(join(tmp, "shipline.yml"), stack, {
    region: cloud.region,
    ...GATE,
  });
}, 300_000);

afterAll(async () => {
  await cloud?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

let runs = 0;
async function shipline(args: string[]): Promise<RunEnd & { releaseId: string }> {
  runs += 1;
  const end = await runShipline({
    args: [...args, "--config", config],
    env: {
      ...cloud.env(),
      AWS_REGION: cloud.region,
      // The release guard's heartbeat at the cloud's pace (its alarm periods are scaled too).
      SHIPLINE_RELEASE_HEARTBEAT_MS: String(2000 * TIME_SCALE),
      GITHUB_SHA: createHash("sha1").update(`example ${runs}`).digest("hex"),
      GITHUB_RUN_ID: String(runs),
      GITHUB_ACTOR: "tester",
      GITHUB_TOKEN: "",
    },
    spawned: false,
  }).done;
  const releaseId = /release[- ]id[=: ]+(\S+)/i.exec(end.output)?.[1] ?? "";
  return { ...end, releaseId };
}

async function describeService(name: string = FLASK_API.apiService): Promise<Service> {
  return (
    (
      await stack.clients.ecs.send(
        new DescribeServicesCommand({ cluster: FLASK_API.cluster, services: [name] }),
      )
    ).services?.[0] ?? {}
  );
}

async function describeTaskDefinition(arn: string) {
  return (
    (await stack.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })))
      .taskDefinition ?? {}
  );
}

/** What the API answers through the load balancer, once it answers 200. */
async function apiIndex(): Promise<{ release: string; apiTokenSha256: string | null }> {
  return waitFor("the API through the load balancer", async () => {
    const response = await fetch(`${stack.url}/`).catch(() => undefined);
    if (response?.status !== 200) return undefined;
    return (await response.json()) as { release: string; apiTokenSha256: string | null };
  });
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("examples/flask-api", () => {
  it("a good release: buildah builds the Dockerfile, the task definition file runs with its secret", async () => {
    const end = await shipline(["deploy"]);
    expect(end.code, end.output).toBe(ExitCode.Success);
    // Built by buildah from the example's Dockerfile, on the Python base with Flask.
    expect(end.output).toMatch(/buildah/i);
    expect(end.output).not.toContain(TOKEN);
    const service = await describeService();
    goodArn = service.taskDefinition ?? "";
    const described = await describeTaskDefinition(goodArn);
    expect(described.family).toBe("flask-api");
    const [api] = described.containerDefinitions ?? [];
    expect(api?.image).toMatch(new RegExp(`/${FLASK_API.repository}@sha256:[0-9a-f]{64}$`));
    expect(api?.portMappings?.[0]?.containerPort).toBe(8000);
    expect(api?.secrets).toEqual([{ name: "API_TOKEN", valueFrom: FLASK_API.tokenParameter }]);
    // The Flask app answers with this release's id and the digest of the token it was given.
    const index = await apiIndex();
    goodRelease = index.release;
    expect(api?.environment).toContainEqual({ name: "RELEASE_ID", value: index.release });
    expect(index.apiTokenSha256).toBe(sha256(TOKEN));
    const health = await fetch(`${stack.url}${FLASK_API.healthPath}`);
    expect(health.status).toBe(200);
  }, 180_000);

  it("a bad release (its /health answers 500) is rolled back; deploy's output names GET /health on port 8000", async () => {
    expect(goodArn, "the good release ran first").not.toBe("");
    const end = await shipline(["deploy", "--container-env", "api:HEALTH=fail"]);
    expect(end.code, end.output).toBe(ExitCode.FailedRolledBack);
    expect(end.output).toContain(
      "The load balancer checks GET /health on port 8000 and expects HTTP 200",
    );
    const service = await describeService();
    expect(service.taskDefinition).toBe(goodArn);
    expect((await apiIndex()).release).toBe(goodRelease);
  }, 180_000);

  it("a task definition change (memory, a second secret) deploys and shows in DescribeTaskDefinition", async () => {
    const sessionKey =
      (
        await new SecretsManagerClient({
          endpoint: cloud.endpoint,
          region: cloud.region,
          credentials: cloud.credentials,
        }).send(new CreateSecretCommand({ Name: "shop/session-key", SecretString: "s3ss10n" }))
      ).ARN ?? "";
    const file = JSON.parse(await readFile(join(EXAMPLE_DIR, "ecs/api.json"), "utf8")) as {
      memory: string;
      containerDefinitions: { secrets: { name: string; valueFrom: string }[] }[];
    };
    file.memory = "1024";
    file.containerDefinitions[0]?.secrets.push({ name: "SESSION_KEY", valueFrom: sessionKey });
    const changed = join(tmp, "api-1024.json");
    await writeFile(changed, JSON.stringify(file, null, 2));
    const raw = parse(await readFile(config, "utf8")) as {
      environments: { production: Record<string, unknown> };
    };
    raw.environments.production["task-definition"] = changed;
    const changedConfig = join(tmp, "shipline-1024.yml");
    await writeFile(changedConfig, JSON.stringify(raw));
    const previous = config;
    config = changedConfig;
    try {
      const end = await shipline(["deploy"]);
      expect(end.code, end.output).toBe(ExitCode.Success);
      expect(end.output).not.toContain("s3ss10n");
      const arn = (await describeService()).taskDefinition ?? "";
      expect(arn).not.toBe(goodArn);
      const described = await describeTaskDefinition(arn);
      expect(described.memory).toBe("1024");
      expect(described.containerDefinitions?.[0]?.secrets).toEqual([
        { name: "API_TOKEN", valueFrom: FLASK_API.tokenParameter },
        { name: "SESSION_KEY", valueFrom: sessionKey },
      ]);
      expect((await apiIndex()).apiTokenSha256).toBe(sha256(TOKEN));
    } finally {
      config = previous;
    }
  }, 180_000);

  // Waits for several services per environment (`services:` in shipline.yml); runs by itself
  // as soon as the schema accepts shipline.with-worker.yml.
  it.runIf(multiServiceAccepted)(
    "with the worker: a release whose worker crashes is rolled back with the API",
    async () => {
      await createWorkerService(stack);
      const withWorker = await writeExampleConfig(join(tmp, "shipline.with-worker.yml"), stack, {
        file: "shipline.with-worker.yml",
        region: cloud.region,
        ...GATE,
      });
      const previous = config;
      config = withWorker;
      try {
        const good = await shipline(["deploy"]);
        expect(good.code, good.output).toBe(ExitCode.Success);
        const api = (await describeService()).taskDefinition;
        const worker = (await describeService(FLASK_API.workerService)).taskDefinition;
        const bad = await shipline(["deploy", "--container-env", "worker:WORKER_FAULT=crash"]);
        expect(bad.code, bad.output).toBe(ExitCode.FailedRolledBack);
        // The worker is what failed; the API, healthy, went back with it.
        expect(bad.output).toMatch(/worker exited with code 1/);
        expect((await describeService()).taskDefinition).toBe(api);
        expect((await describeService(FLASK_API.workerService)).taskDefinition).toBe(worker);
      } finally {
        config = previous;
      }
    },
    300_000,
  );
});
