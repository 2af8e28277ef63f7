import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { DescribeKeyValueStoreCommand } from "@aws-sdk/client-cloudfront";
import { ListKeysCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import {
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sampleImageInputs } from "../../scripts/sample-images";
import { buildImage } from "../../src/images/build-image";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import { REPO_ROOT } from "../helpers/fixtures";
import { buildBaseImage } from "../helpers/localcloud";
import { createEdge } from "../release/edge";
import { actionsNeeded, missingFromPolicy } from "../release/iam";
import { baseImageOf } from "../release/stand-in";
import { type ServiceStack, startServiceStack, waitSteadyOn } from "../service/cloud";
import {
  createKeyValueStore,
  keyValueStoreOf,
  publishAtomic,
  releaseNamed,
  writeRelease,
} from "../web/atomic-helpers";
import { cloudFrontOf, tempDir, type WebCloud } from "../web/cloud";

/**
 * Full-stack previews on localcloud, one stack: two pull requests published at once each get an
 * API service of their own (own target group, own host rule on production's listener, own
 * in-memory data), reached through the edge by host; a write in one is seen neither in the other
 * nor in production; re-publishing updates the service; closing both leaves nothing behind.
 */
let stack: ServiceStack;
let edge = "";
let tmp = "";
let configFile = "";
const BUCKET = "fullstack-previews";
const STORE = "fullstack-releases";
/** What production's site put in the bucket and the store: all that may be left at the end. */
let productionKeys: string[] = [];
let productionStoreKeys: string[] = [];
const site = (release: string) => join(tmp, `site-${release}`);
const DOMAIN = "preview.test";
const images: Record<string, string> = {};
/** Pull request 2's images, one OCI layout per container, built without credentials. */
let layouts = "";

/** An API with data of its own: notes kept in memory, so each task has its own. */
async function writeNotesApi(folder: string, build: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, "server.mjs"),
    `import { createServer } from "node:http";
const notes = [];
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/healthz") {
    res.statusCode = process.env.APP_FAULT === "unhealthy" ? 503 : 200;
    return res.end('{"status":"ok"}');
  }
  if (req.method === "POST") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => { notes.push(body); res.end(JSON.stringify({ notes })); });
    return;
  }
  res.end(JSON.stringify({ build: ${JSON.stringify(build)}, data: process.env.DATA_LABEL ?? "", notes }));
});
server.listen(Number(process.env.PORT ?? 3000), "0.0.0.0");
process.on("SIGTERM", () => { server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); });
`,
  );
  return folder;
}

/**
 * Builds the notes API with build-image: pushed to the cloud's ECR, or (`layout`) written into an
 * OCI layout folder with no registry and no credentials, as a pull request's build job does (the
 * base then comes from a layout too: the job cannot read the account's ECR).
 */
async function build(name: string, layout?: string): Promise<string> {
  const lines: string[] = [];
  const logger = new TerminalLogger({
    out: { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream,
    err: { write: () => true } as unknown as NodeJS.WritableStream,
  });
  await buildImage(
    parseBuildImageInputs({
      ...(await sampleImageInputs("api")),
      repository: "shipline/api",
      context: await writeNotesApi(join(tmp, name), name),
      tags: name,
      "base-image": layout ? (await buildBaseImage("node")).reference : await baseImageOf(stack),
      ...(layout ? { layout } : {}),
      "source-date-epoch": "1700000000",
    }),
    { logger, ecr: () => stack.clients.ecr },
  );
  const image = /^image=(.+)$/m.exec(lines.join(""))?.[1];
  if (!image) throw new Error(`build-image gave no image:\n${lines.join("")}`);
  return image;
}

beforeAll(async () => {
  stack = await startServiceStack();
  tmp = await tempDir("fullstack-preview");
  const first = await stack.createService({ DATA_LABEL: "production" }, { desiredCount: 1 });
  // One build at a time: they share the machine's two cores with the tasks.
  for (const name of ["production", "pr1", "pr1-next"]) images[name] = await build(name);
  layouts = join(tmp, "layouts");
  await build("pr2", join(layouts, "api"));
  const production = images.production ?? "";
  await waitSteadyOn(stack, first);
  // Production on the notes API (its own data, labelled), as a release would have rolled it.
  const running = (
    await stack.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: first }))
  ).taskDefinition;
  const registered = await stack.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: running?.family,
      networkMode: running?.networkMode,
      requiresCompatibilities: running?.requiresCompatibilities,
      cpu: running?.cpu,
      memory: running?.memory,
      containerDefinitions: running?.containerDefinitions?.map((container) => ({
        ...container,
        image: production,
      })),
    }),
  );
  const productionArn = registered.taskDefinition?.taskDefinitionArn ?? "";
  await stack.clients.ecs.send(
    new UpdateServiceCommand({
      cluster: stack.cluster,
      service: stack.service,
      taskDefinition: productionArn,
    }),
  );
  await waitSteadyOn(stack, productionArn, "production on the notes API");

  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const cloud = stack.cloud as unknown as WebCloud;
  // Production's site in web-mode atomic (its router reads the key value store), with /api/*
  // sending the viewer's Host to the load balancer, and previews' hosts among its names.
  await createKeyValueStore(cloud, STORE);
  const distributionId = await createEdge(stack, BUCKET, {
    forwardHost: true,
    aliases: [`*.${DOMAIN}`],
  });
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distributionId);
  await writeRelease(site("r1"), "r1");
  await publishAtomic({ cloud, bucket: BUCKET, distributionId, store: STORE }, site("r1"), "r1");
  for (const release of ["p1", "p2", "p1b"])
    await writeRelease(join(tmp, `site-${release}`), release);
  productionKeys = await bucketKeys();
  productionStoreKeys = await storeKeys();
  configFile = join(tmp, "shipline.yml");
  await writeFile(
    configFile,
    stringify({
      version: 1,
      region: stack.cloud.region,
      environments: {
        production: {
          cluster: stack.cluster,
          service: stack.service,
          containers: {
            api: {
              repository: "shipline/api",
              context: "app-api/dist",
              "base-image": `x/y@sha256:${"0".repeat(64)}`,
            },
          },
          bucket: BUCKET,
          distributions: [distributionId],
          web: { mode: "atomic", "key-value-store": STORE, immutable: ["assets/**"] },
          gate: { timeout: "90s", interval: "1s", "healthy-polls": 2, "grace-period": "1s" },
          preview: { domain: DOMAIN, api: true, environment: { api: { DATA_LABEL: "preview" } } },
        },
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const clientConfig = () => ({
  endpoint: stack.cloud.endpoint,
  region: stack.cloud.region,
  credentials: stack.cloud.credentials,
});
const s3 = () => new S3Client({ ...clientConfig(), forcePathStyle: true });

/** The calls `shipline preview` made, for the preview role's policy check. */
const previewCalls: { service: string; operation: string }[] = [];
let running = 0;
let windowStart = 0;

/** `shipline preview <command>` from its sources, as the pipeline runs it with the config file. */
async function preview(
  args: string[],
  run: number,
): Promise<{ code: number | null; output: string }> {
  // The test makes no AWS call while a preview command runs: the log's calls are its own.
  if (running++ === 0) windowStart = stack.cloud.requestLog.lastSeq;
  const result = await runPreview(args, run);
  if (--running === 0) previewCalls.push(...stack.cloud.requestLog.list({ sinceSeq: windowStart }));
  return result;
}

function runPreview(args: string[], run: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    "node",
    ["--import", "tsx", "actions/src/cli/main.ts", "preview", ...args, "--bucket", BUCKET],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...stack.cloud.env(),
        AWS_REGION: stack.cloud.region,
        SHIPLINE_CONFIG: configFile,
        GITHUB_SHA: "feedfacecafe0123456789feedfacecafe012345",
        GITHUB_RUN_ID: String(run),
      },
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

/** A request through the edge with the viewer's Host (a preview's host, or the edge's own). */
function viewer(
  method: "GET" | "POST",
  host: string | undefined,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const url = new URL(path, edge);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: host ? { host } : {},
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

/** The notes API at a host, through the edge. */
async function api(
  method: "GET" | "POST",
  host: string | undefined,
  body?: string,
): Promise<{ status: number; json: { build?: string; data?: string; notes: string[] } }> {
  const answer = await viewer(method, host, "/api/notes", body);
  try {
    return { status: answer.status, json: JSON.parse(answer.text) };
  } catch {
    throw new Error(`${method} ${host ?? "edge"}: ${answer.status} ${answer.text}`);
  }
}

/** The release a host's home page names. */
const pageAt = async (host: string | undefined) =>
  releaseNamed((await viewer("GET", host, "/")).text);

async function bucketKeys(): Promise<string[]> {
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "").sort();
}

async function storeKeys(): Promise<string[]> {
  const cloud = stack.cloud as unknown as WebCloud;
  const described = await cloudFrontOf(cloud).send(
    new DescribeKeyValueStoreCommand({ Name: STORE }),
  );
  const listed = await keyValueStoreOf(cloud).send(
    new ListKeysCommand({ KvsARN: described.KeyValueStore?.ARN }),
  );
  return (listed.Items ?? []).map((item) => item.Key ?? "").sort();
}

const host = (pr: number) => `pr-${pr}.${DOMAIN}`;

describe("full-stack previews", () => {
  it("runs two pull requests' APIs at once, each with its own data at its own host, and removes both on close", async () => {
    const started = Date.now();
    const [one, two] = await Promise.all([
      preview(
        ["publish", "--pull-request", "1", "--source", site("p1"), "--images", `api=${images.pr1}`],
        1,
      ),
      // Pull request 2's image comes as the build job hands it over: a layout the publishing
      // job pushes to the container's repository before running it.
      preview(
        ["publish", "--pull-request", "2", "--source", site("p2"), "--image-layouts", layouts],
        2,
      ),
    ]);
    expect(one.code, one.output).toBe(0);
    expect(two.code, two.output).toBe(0);
    const published = Date.now();
    expect(one.output).toMatch(/api-host=pr-1\.preview\.test/);
    expect(two.output).toMatch(/preview image api: .+\/shipline\/api@sha256:[a-f0-9]{64}/);

    // Each host serves its own page, whose /api/* reaches its own API; production is the default rule's.
    expect(await pageAt(host(1))).toBe("p1");
    expect(await pageAt(host(2))).toBe("p2");
    expect(await pageAt(undefined)).toBe("r1");
    expect((await api("GET", host(1))).json).toMatchObject({
      build: "pr1",
      data: "preview",
      notes: [],
    });
    expect((await api("GET", host(2))).json).toMatchObject({
      build: "pr2",
      data: "preview",
      notes: [],
    });
    expect((await api("GET", undefined)).json).toMatchObject({
      build: "production",
      data: "production",
    });
    expect((await api("POST", host(1), "written in pr 1")).status).toBe(200);
    expect((await api("GET", host(1))).json.notes).toEqual(["written in pr 1"]);
    expect((await api("GET", host(2))).json.notes).toEqual([]);
    expect((await api("GET", undefined)).json.notes).toEqual([]);

    // Two rules, two priorities, on production's listener.
    const [listener] =
      (
        await stack.clients.elb.send(
          new DescribeListenersCommand({
            LoadBalancerArn: (
              await stack.clients.elb.send(
                new DescribeTargetGroupsCommand({ TargetGroupArns: [stack.targetGroupArn] }),
              )
            ).TargetGroups?.[0]?.LoadBalancerArns?.[0],
          }),
        )
      ).Listeners ?? [];
    const rules = async () =>
      (
        await stack.clients.elb.send(
          new DescribeRulesCommand({ ListenerArn: listener?.ListenerArn }),
        )
      ).Rules ?? [];
    const hostRules = (await rules()).filter((rule) => !rule.IsDefault);
    expect(
      hostRules.map((rule) => rule.Conditions?.[0]?.HostHeaderConfig?.Values?.[0]).sort(),
    ).toEqual([host(1), host(2)]);
    expect(new Set(hostRules.map((rule) => rule.Priority)).size).toBe(2);

    // Re-publishing pull request 1 updates its service to the new images.
    const again = await preview(
      [
        "publish",
        "--pull-request",
        "1",
        "--source",
        site("p1b"),
        "--images",
        `api=${images["pr1-next"]}`,
      ],
      3,
    );
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/service web-pr-1 updated/);
    expect((await api("GET", host(1))).json).toMatchObject({ build: "pr1-next" });
    expect(await pageAt(host(1))).toBe("p1b");
    expect((await api("GET", host(2))).json).toMatchObject({ build: "pr2" });
    const republished = Date.now();

    // A removal killed after its first steps (service and rule of #2 gone, the rest left)
    // completes when run again: each step takes "already gone" as done.
    await stack.clients.ecs.send(
      new DeleteServiceCommand({ cluster: stack.cluster, service: "web-pr-2", force: true }),
    );
    const ruleOf2 = (await rules()).find(
      (rule) => rule.Conditions?.[0]?.HostHeaderConfig?.Values?.[0] === host(2),
    );
    await stack.clients.elb.send(new DeleteRuleCommand({ RuleArn: ruleOf2?.RuleArn }));

    // Both pull requests close at once.
    const closed = await Promise.all([
      preview(["destroy", "--pull-request", "1"], 4),
      preview(["destroy", "--pull-request", "2"], 5),
    ]);
    for (const result of closed) expect(result.code, result.output).toBe(0);
    const destroyed = Date.now();

    // A pull request whose API fails its gate: the job fails, its tasks stop (no restart loop),
    // and its page is not published.
    const [three, four] = await Promise.all([
      preview(
        ["publish", "--pull-request", "3", "--source", site("p1"), "--images", `api=${images.pr1}`],
        7,
      ),
      preview(
        [
          "publish",
          "--pull-request",
          "4",
          "--source",
          site("p2"),
          "--images",
          `api=${images.pr1}`,
          "--api-environment",
          "api:APP_FAULT=unhealthy",
        ],
        8,
      ),
    ]);
    expect(three.code, three.output).toBe(0);
    expect(four.code, four.output).toBe(1);
    expect(four.output).toMatch(/web-pr-4 failed its gate .*scaled to 0/);
    const failed = await stack.clients.ecs.send(
      new DescribeServicesCommand({ cluster: stack.cluster, services: ["web-pr-4"] }),
    );
    expect(failed.services?.[0]?.desiredCount).toBe(0);
    expect(await pageAt(host(4))).toBeUndefined();
    expect((await api("GET", host(3))).json).toMatchObject({ build: "pr1" });

    // Both closed while nobody was told (CircleCI): the sweep removes them, #4 found by its API
    // alone (it has no page).
    const swept = await preview(["sweep", "--open-pull-requests", "99"], 9);
    expect(swept.code, swept.output).toBe(0);
    expect(swept.output).toMatch(/removed=3,4/);

    // Nothing left, as the AWS APIs list it.
    const services = (
      await stack.clients.ecs.send(new ListServicesCommand({ cluster: stack.cluster }))
    ).serviceArns;
    expect(services?.map((arn) => arn.split("/").pop())).toEqual([stack.service]);
    const groups = (await stack.clients.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups;
    expect(groups?.map((group) => group.TargetGroupArn)).toEqual([stack.targetGroupArn]);
    expect((await rules()).filter((rule) => !rule.IsDefault)).toEqual([]);
    for (const family of ["web-pr-1", "web-pr-2", "web-pr-3", "web-pr-4"]) {
      const listed = await stack.clients.ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: family, status: "ACTIVE" }),
      );
      expect(listed.taskDefinitionArns, family).toEqual([]);
    }
    // Production's site is all the bucket and the store hold, as before the previews.
    expect(await bucketKeys()).toEqual(productionKeys);
    expect(await storeKeys()).toEqual(productionStoreKeys);
    expect(await pageAt(host(1))).toBeUndefined();
    // Production kept serving, with its own data.
    expect((await api("GET", undefined)).json).toMatchObject({ build: "production", notes: [] });
    // A second close finds nothing to remove and succeeds.
    const repeat = await preview(["destroy", "--pull-request", "1"], 10);
    expect(repeat.code, repeat.output).toBe(0);
    expect(repeat.output).toMatch(/nothing to remove/);
    // Every call the preview commands made is one the preview role allows.
    expect(await missingFromPolicy("preview", actionsNeeded(previewCalls))).toEqual([]);
    expect(previewCalls.map((call) => call.operation)).toEqual(
      expect.arrayContaining(["CreateService", "CreateRule", "DeleteTargetGroup"]),
    );
    console.log(
      `full-stack previews: 2 published at once in ${published - started} ms, re-published in ${republished - published} ms, 2 destroyed in ${destroyed - republished} ms`,
    );
  }, 300_000);
});
