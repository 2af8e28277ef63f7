import { join } from "node:path";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEcsStackHelper } from "../../scripts/demo/ecs-stack";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { ConfigurationError, RolledBackError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { runDeploy, runRollback } from "../../src/release/commands";
import type { ReleaseDeps } from "../../src/release/deploy";
import {
  parseDeployInputs,
  parseRollbackInputs,
  parseStatusInputs,
} from "../../src/release/inputs";
import type { ReleaseRecord } from "../../src/release/record";
import { showStatus } from "../../src/release/status";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, tempDir, type WebCloud } from "../web/cloud";

/**
 * A release of two services on localcloud with real tasks: the API behind the load balancer
 * (gated on target health) and a worker without one (gated on its tasks running, none of the new
 * deployment stopping). One record names both; a worker that crashes returns both; rollback
 * restores both; status judges both.
 */
let stack: ServiceStack;
let tmp = "";
const BUCKET = "services-site";
const lines: string[] = [];
/** Called with each line a run logs: a test acts at a precise point of a run. */
let onLine: (line: string) => void = () => {};
const stream = {
  write: (chunk: string) => {
    const parts = chunk.split("\n").filter(Boolean);
    for (const part of parts) onLine(part);
    return lines.push(...parts) > 0;
  },
} as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: stream, err: stream });

const describeOne = async (service: string) =>
  (
    await stack.clients.ecs.send(
      new DescribeServicesCommand({ cluster: stack.cluster, services: [service] }),
    )
  ).services?.[0];

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" }, { desiredCount: 1 });
  // The worker: the same app, no port mapping, no load balancer, in the same cluster.
  const helper = await loadEcsStackHelper();
  const worker = await stack.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "worker",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "worker",
          image: stack.apiImage,
          essential: true,
          environment: helper.environmentOf({ RELEASE_ID: "r0" }),
          stopTimeout: 5,
          logConfiguration: helper.awsLogs("/ecs/web", stack.cloud.region, "worker"),
        },
      ],
    }),
  );
  await stack.clients.ecs.send(
    new CreateServiceCommand({
      cluster: stack.cluster,
      serviceName: "worker",
      taskDefinition: worker.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-a"], assignPublicIp: "DISABLED" },
      },
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
    }),
  );
  await waitSteadyOn(stack, first);
  await waitFor("the worker running", async () =>
    (await describeOne("worker"))?.runningCount === 1 ? true : undefined,
  );
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  tmp = await tempDir("services");
}, 300_000);

afterAll(async () => {
  if (process.env.SHOW_DEPLOY_LOG) console.log(lines.join("\n"));
  await stack?.dispose();
});

const config = () => ({
  endpoint: stack.cloud.endpoint,
  region: stack.cloud.region,
  credentials: stack.cloud.credentials,
});
const s3 = () => new S3Client({ ...config(), forcePathStyle: true });

function deps(run: string): ReleaseDeps {
  return {
    s3: s3(),
    cloudfront: () => new CloudFrontClient(config()),
    service: stack.clients,
    ecr: () => stack.clients.ecr,
    clock: systemClock,
    logger,
    env: {
      GITHUB_RUN_ID: run,
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "tester",
    },
  };
}

const common = () => ({
  environment: "production",
  bucket: BUCKET,
  cluster: stack.cluster,
  // As the configuration file's services map gives them (see config/environment.ts).
  services: `api=${stack.service}\nworker=worker`,
  "gate-interval": "1s",
  "healthy-polls": "2",
  "grace-period": "1s",
  "gate-timeout": "90s",
});

const both = (image: string) => `api=${image}\nworker=${image}`;

async function site(name: string): Promise<string> {
  return (await buildSite(join(tmp, name), { releaseId: name })).dir;
}

async function running(): Promise<{ api?: string; worker?: string }> {
  const [api, worker] = await Promise.all([describeOne(stack.service), describeOne("worker")]);
  const primary = (service: typeof api) =>
    service?.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition;
  return { api: primary(api), worker: primary(worker) };
}

const ledger = () => new Ledger(s3(), BUCKET, ".shipline/", "production");

describe("a release of several services", () => {
  let one: ReleaseRecord;

  it("refuses, before the lock, a container no service runs and a service that does not exist", async () => {
    const source = await site("web-bad");
    const stray = runDeploy(
      parseDeployInputs({
        ...common(),
        images: `${both(stack.apiImage)}\nnginx=${stack.apiImage}`,
        source,
      }),
      {},
      deps("0"),
    );
    await expect(stray).rejects.toBeInstanceOf(ConfigurationError);
    await expect(stray).rejects.toThrow(/container "nginx" is in no service's task definition/);
    const unknown = runDeploy(
      parseDeployInputs({
        ...common(),
        services: `api=${stack.service}\nworker=no-such-worker`,
        images: both(stack.apiImage),
        source,
      }),
      {},
      deps("0"),
    );
    await expect(unknown).rejects.toThrow(
      /service "worker": service "no-such-worker" does not exist/,
    );
    expect(await ledger().history(5)).toEqual([]);
  });

  it("prints every service's plan on a dry run", async () => {
    const before = lines.length;
    const planned = await runDeploy(
      parseDeployInputs({
        ...common(),
        images: both(stack.apiImageNext),
        source: await site("web-dry"),
        "dry-run": "true",
      }),
      {},
      deps("0"),
    );
    expect(planned).toBeUndefined();
    const printed = lines.slice(before).join("\n");
    expect(printed).toMatch(/service api .*shipline\/web: new task definition, images of api,/);
    expect(printed).toMatch(
      /service worker .*shipline\/worker: new task definition, images of worker,/,
    );
  });

  it("goes live with both services gated, in one record naming each", async () => {
    one = (await runDeploy(
      parseDeployInputs({
        ...common(),
        images: both(stack.apiImageNext),
        source: await site("web-1"),
      }),
      {},
      deps("1"),
    )) as ReleaseRecord;
    expect(one.status).toBe("live");
    expect(Object.keys(one.services ?? {})).toEqual(["api", "worker"]);
    const api = one.services?.api?.taskDefinitionArn;
    const worker = one.services?.worker?.taskDefinitionArn;
    expect(api).toMatch(/task-definition\/web:/);
    expect(worker).toMatch(/task-definition\/worker:/);
    expect(await running()).toEqual({ api, worker });
    expect(
      lines.some((line) => line.includes("tasks RUNNING (the service has no load balancer)")),
    ).toBe(true);
    expect(
      ((await (await fetch(`${stack.lbUrl}/version`)).json()) as { build: string }).build,
    ).toBe("2");
  }, 240_000);

  it("returns both services when the worker crashes, and the record says which failed and why", async () => {
    const failing = runDeploy(
      parseDeployInputs({
        ...common(),
        images: both(stack.apiImage),
        "container-env": "worker:APP_FAULT=crash-on-start",
        source: await site("web-2"),
      }),
      {},
      deps("2"),
    );
    await expect(failing).rejects.toBeInstanceOf(RolledBackError);
    const record = await ledger().read("0123456789ab-2.1");
    expect(record?.status).toBe("rolled-back");
    expect(record?.failure?.step).toBe("service");
    expect(record?.failure?.message).toMatch(/service worker failed: worker: .*exited with code 1/);
    expect(record?.services?.worker?.failure).toMatch(/exited with code 1/);
    expect(record?.services?.api?.failure).toBeUndefined();
    // The API passed its gate on the new revision, then went back with the worker.
    expect(record?.services?.api?.taskDefinitionArn).not.toBe(one.services?.api?.taskDefinitionArn);
    expect(await running()).toEqual({
      api: one.services?.api?.taskDefinitionArn,
      worker: one.services?.worker?.taskDefinitionArn,
    });
    expect((await ledger().live())?.value.releaseId).toBe(one.id);
  }, 300_000);

  it("returns both services when the web step fails before its entry points", async () => {
    // Armed when the web step starts: its first upload is refused (an answer, not retried).
    onLine = (line) => {
      if (line.includes("▶ web")) {
        onLine = () => {};
        (stack.cloud as unknown as WebCloud).faults.add({
          service: "s3",
          operation: "PutObject",
          kind: "deny",
          count: 1,
        });
      }
    };
    const failing = runDeploy(
      parseDeployInputs({ ...common(), images: both(stack.apiImage), source: await site("web-w") }),
      {},
      deps("5"),
    );
    await expect(failing).rejects.toBeInstanceOf(RolledBackError);
    await expect(failing).rejects.toThrow(/api, worker returned to their live revisions/);
    (stack.cloud as unknown as WebCloud).faults.clear();
    const record = await ledger().read("0123456789ab-5.1");
    expect(record).toMatchObject({ status: "rolled-back", failure: { step: "web" } });
    expect(await running()).toEqual({
      api: one.services?.api?.taskDefinitionArn,
      worker: one.services?.worker?.taskDefinitionArn,
    });
    expect((await ledger().live())?.value.releaseId).toBe(one.id);
  }, 300_000);

  it("rolls both back, and status judges both", async () => {
    const three = (await runDeploy(
      parseDeployInputs({ ...common(), images: both(stack.apiImage), source: await site("web-3") }),
      {},
      deps("3"),
    )) as ReleaseRecord;
    expect(three.status).toBe("live");
    expect(await running()).toEqual({
      api: three.services?.api?.taskDefinitionArn,
      worker: three.services?.worker?.taskDefinitionArn,
    });

    const back = (await runRollback(
      parseRollbackInputs({ ...common(), to: "previous" }),
      deps("4"),
    )) as ReleaseRecord;
    expect(back).toMatchObject({ status: "live", restores: one.id });
    expect(await running()).toEqual({
      api: one.services?.api?.taskDefinitionArn,
      worker: one.services?.worker?.taskDefinitionArn,
    });

    const before = lines.length;
    const status = await showStatus(
      parseStatusInputs({
        environment: "production",
        bucket: BUCKET,
        cluster: stack.cluster,
        services: common().services,
      }),
      { s3: s3(), service: stack.clients, clock: systemClock, logger },
    );
    expect(status.consistent).toBe(true);
    expect(status.liveId).toBe(back.id);
    expect(status.summary).toMatch(/every service \(api, worker\) runs its task definition/);
    const live = status.releases.find((row) => row.id === back.id);
    expect(live?.services).toEqual({
      api: { taskDefinitionArn: one.services?.api?.taskDefinitionArn, primary: true },
      worker: { taskDefinitionArn: one.services?.worker?.taskDefinitionArn, primary: true },
    });
    const table = lines.slice(before).join("\n");
    expect(table).toMatch(/api: web:\d+ \(PRIMARY\), worker: worker:\d+ \(PRIMARY\)/);
  }, 300_000);
});
