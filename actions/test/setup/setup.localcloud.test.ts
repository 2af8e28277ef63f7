import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DescribeRepositoriesCommand, GetLifecyclePolicyCommand } from "@aws-sdk/client-ecr";
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { gitHead } from "../../src/release/local-run";
import { actionsNeeded, missingFromPolicy } from "../release/iam";
import { runShipline } from "../release/shipline-run";
import { type ServiceStack, startServiceStack, waitSteadyOn } from "../service/cloud";
import { tempDir } from "../web/cloud";

let stack: ServiceStack;
let tmp = "";
let site = "";

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" });
  await waitSteadyOn(stack, first);
  await s3().send(new CreateBucketCommand({ Bucket: "site" }));
  tmp = await tempDir("setup");
  site = join(tmp, "site");
  await mkdir(join(site, "assets"), { recursive: true });
  await writeFile(
    join(site, "index.html"),
    '<!doctype html><script src="/assets/app.js"></script>',
  );
  await writeFile(join(site, "assets", "app.js"), "console.log(1);\n");
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const s3 = () =>
  new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });

/** `shipline <args>` as a developer runs it: localcloud's endpoints, no CI variables at all. */
async function shipline(...args: string[]) {
  return runShipline({ args, env: stack.cloud.env(), spawned: false }).done;
}

const WRITE =
  /^(Create|Put|Delete|Update|Register|Deregister|Tag|Untag|Upload|Start|Stop|Run|Batch(?!Get|Check)|Initiate|Complete|Patch|Mount|Set)/;

/** The calls since `since` that change something (any operation that is not a read). */
function writesSince(since: number): string[] {
  return stack.cloud.requestLog
    .list({ sinceSeq: since })
    .filter((call) => WRITE.test(call.operation))
    .map((call) => `${call.service} ${call.operation}`);
}

describe("shipline init", () => {
  it("writes the configuration of a running service, which then deploys it unchanged", async () => {
    const file = join(tmp, "shipline.yml");
    const since = stack.cloud.requestLog.lastSeq;
    const written = await shipline(
      "init",
      "--cluster",
      stack.cluster,
      "--service",
      stack.service,
      "--bucket",
      "site",
      "--config",
      file,
    );
    expect(written.code, written.output).toBe(0);
    expect(writesSince(since)).toEqual([]);
    // actions/iam/init.json allows every call init made.
    const initCalls = stack.cloud.requestLog.list({ sinceSeq: since });
    expect(await missingFromPolicy("init", actionsNeeded(initCalls))).toEqual([]);
    const text = await readFile(file, "utf8");
    const config = parseConfig(text, file);
    expect(config.region).toBe(stack.cloud.region);
    expect(config.environments.production).toMatchObject({
      cluster: stack.cluster,
      service: stack.service,
      bucket: "site",
      containers: { api: { repository: "shipline/api" } },
    });
    // What was found is said in the file: the image running now and the gating target group.
    expect(text).toContain(`Runs ${stack.apiImage} now`);
    expect(text).toMatch(/api → api:3000 \(\/healthz\)/);

    // An existing file is kept, unless --force; --dry-run prints and writes nothing.
    const kept = await shipline(
      "init",
      "--cluster",
      stack.cluster,
      "--service",
      stack.service,
      "--bucket",
      "other-bucket",
      "--config",
      file,
    );
    expect(kept.code).toBe(4);
    expect(kept.output).toMatch(/exists already: give --force/);
    const dry = await shipline(
      "init",
      "--cluster",
      stack.cluster,
      "--service",
      stack.service,
      "--bucket",
      "other-bucket",
      "--config",
      file,
      "--dry-run",
    );
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain("bucket: other-bucket");
    expect(await readFile(file, "utf8")).toBe(text);

    // The file deploys the same images: the service keeps running what it ran (the task
    // definition has this content already: no new revision, no rollout), as a recorded release.
    const deployed = await shipline(
      "deploy",
      "--config",
      file,
      "--images",
      `api=${stack.apiImage}`,
      "--source",
      site,
      "--gate-interval",
      "1s",
      "--healthy-polls",
      "2",
      "--grace-period",
      "1s",
    );
    expect(deployed.code, deployed.output).toBe(0);
    const service = await stack.describe();
    expect(service.deployments).toHaveLength(1);
    const { taskDefinition } = await stack.clients.ecs.send(
      new (await import("@aws-sdk/client-ecs")).DescribeTaskDefinitionCommand({
        taskDefinition: service.taskDefinition,
      }),
    );
    expect(taskDefinition?.taskDefinitionArn).toBe(service.taskDefinition);
    expect(taskDefinition?.revision).toBe(1);
    expect(deployed.output).toContain("nothing to roll out");
    expect(taskDefinition?.containerDefinitions?.map((c) => [c.name, c.image])).toEqual([
      ["api", stack.apiImage],
    ]);

    // Outside CI the release id is the commit from git and the ledger's local counter.
    const head = (await gitHead(process.cwd())) ?? "(not a git work tree)";
    const releaseId = `${head.slice(0, 12)}-local1`;
    expect(deployed.output).toContain(`release ${releaseId} of ${head}`);
    const records = await s3().send(
      new ListObjectsV2Command({ Bucket: "site", Prefix: ".shipline/releases/production/" }),
    );
    expect(records.Contents?.map((object) => object.Key)).toEqual([
      `.shipline/releases/production/${releaseId}.json`,
    ]);
    const next = await runShipline({
      args: ["release-id", "--config", file],
      env: stack.cloud.env(),
      spawned: false,
    }).done;
    expect(next.output.trim().split("\n").at(-1)).toBe(`${head.slice(0, 12)}-local2`);
  }, 240_000);

  it("refuses a service that does not exist, naming it", async () => {
    const missing = await shipline(
      "init",
      "--cluster",
      stack.cluster,
      "--service",
      "nope",
      "--bucket",
      "site",
      "--dry-run",
    );
    expect(missing.code).toBe(4);
    expect(missing.output).toContain('service "nope" was not found in cluster "shipline"');
  });
});

describe("shipline bootstrap", () => {
  it("sets up the repositories and the bucket policy once, keeping the team's own statements; a second run writes nothing", async () => {
    const file = join(tmp, "bootstrap.yml");
    await writeFile(
      file,
      [
        "version: 1",
        `region: ${stack.cloud.region}`,
        "environments:",
        "  production:",
        `    cluster: ${stack.cluster}`,
        `    service: ${stack.service}`,
        "    containers:",
        "      api: { repository: shipline/api }",
        "      worker: { repository: shipline/worker }",
        "    bucket: site",
        "",
      ].join("\n"),
    );
    const theirs = {
      Sid: "AllowCloudFrontServicePrincipalReadOnly",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::site/*",
    };
    await s3().send(
      new PutBucketPolicyCommand({
        Bucket: "site",
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [theirs] }),
      }),
    );

    const beforeDry = stack.cloud.requestLog.lastSeq;
    const dry = await shipline("bootstrap", "--config", file, "--dry-run");
    expect(dry.code, dry.output).toBe(0);
    expect(writesSince(beforeDry)).toEqual([]);
    expect(dry.output).toContain("dry run: would ECR shipline/worker: create");
    expect(dry.output).toContain("changes=6");

    const beforeFirst = stack.cloud.requestLog.lastSeq;
    const first = await shipline("bootstrap", "--config", file, "--github", "acme/shop");
    expect(first.code, first.output).toBe(0);
    expect(writesSince(beforeFirst).sort()).toEqual(
      [
        "ecr CreateRepository",
        "ecr PutLifecyclePolicy",
        "ecr PutImageTagMutability",
        "ecr PutImageScanningConfiguration",
        "ecr PutLifecyclePolicy",
        "s3 PutBucketPolicy",
      ].sort(),
    );
    const { repositories } = await stack.clients.ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: ["shipline/api", "shipline/worker"] }),
    );
    for (const repository of repositories ?? []) {
      expect(repository.imageTagMutability).toBe("IMMUTABLE");
      expect(repository.imageScanningConfiguration?.scanOnPush).toBe(true);
      const policy = await stack.clients.ecr.send(
        new GetLifecyclePolicyCommand({ repositoryName: repository.repositoryName }),
      );
      expect(JSON.parse(policy.lifecyclePolicyText ?? "{}").rules[0].selection.countNumber).toBe(
        100,
      );
    }
    const policy = JSON.parse(
      (await s3().send(new GetBucketPolicyCommand({ Bucket: "site" }))).Policy ?? "{}",
    );
    expect(policy.Statement).toEqual([
      theirs,
      {
        Sid: "KeepShiplineLedgerPrivate",
        Effect: "Deny",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::site/.shipline/*",
      },
    ]);
    // The roles, from the repository's policies and trust policies, with the names filled in.
    expect(first.output).toContain(
      '"token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:production"',
    );
    expect(first.output).toContain(`repository/shipline/worker"`);
    expect(first.output).not.toMatch(/\$\{[A-Za-z]*Repository\}/);

    // actions/iam/bootstrap.json allows every call bootstrap made (dry run, first and second run).
    const bootstrapCalls = stack.cloud.requestLog.list({ sinceSeq: beforeDry });
    expect(await missingFromPolicy("bootstrap", actionsNeeded(bootstrapCalls))).toEqual([]);

    const beforeSecond = stack.cloud.requestLog.lastSeq;
    const second = await shipline("bootstrap", "--config", file);
    expect(second.code, second.output).toBe(0);
    expect(writesSince(beforeSecond)).toEqual([]);
    const reads = stack.cloud.requestLog.list({ sinceSeq: beforeSecond });
    expect(reads.length).toBeGreaterThan(0);
    console.log(
      `bootstrap, second run: ${reads.length} requests (${[...new Set(reads.map((call) => call.operation))].join(", ")}), no write`,
    );
    expect(second.output).toContain("nothing to change");
    expect(second.output).toContain("changes=0");
  }, 60_000);
});
