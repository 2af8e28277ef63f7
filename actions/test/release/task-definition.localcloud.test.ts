import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTaskDefinitionCommand, type TaskDefinition } from "@aws-sdk/client-ecs";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ExitCode } from "../../src/lib/errors";
import { bodyOf } from "../../src/service/render";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, tempDir } from "../web/cloud";
import { actionsNeeded, missingFromPolicy } from "./iam";
import { type RunEnd, runShipline } from "./shipline-run";

/**
 * Task definitions as code on localcloud with real tasks: an environment whose shipline.yml names
 * a task definition file. diff and --dry-run show the fields a release changes and write nothing,
 * a bad file is refused before anything changes, and a release with more memory and a secret
 * registers exactly the file (with its image by digest) and runs tasks that see the secret.
 */
let stack: ServiceStack;
let tmp = "";
let live = "";
let liveDefinition: TaskDefinition;
let secretArn = "";
const SECRET = "pa55-word-from-secrets-manager";
const BUCKET = "td-site";
const EXECUTION_ROLE = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole";

beforeAll(async () => {
  stack = await startServiceStack();
  live = await stack.createService({ RELEASE_ID: "r0" }, { desiredCount: 1 });
  await waitSteadyOn(stack, live);
  liveDefinition =
    (await stack.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: live })))
      .taskDefinition ?? {};
  const config = {
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
  };
  await new S3Client({ ...config, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: BUCKET }),
  );
  secretArn =
    (
      await new SecretsManagerClient(config).send(
        new CreateSecretCommand({ Name: "web/db-password", SecretString: SECRET }),
      )
    ).ARN ?? "";
  tmp = await tempDir("task-definition");
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

/**
 * The task definition file of the release: the live revision as DescribeTaskDefinition gives it
 * without its read-only fields, with more memory, a secret (and the execution role that reads
 * it), and a command that logs a digest of the secret before it starts the app. No image: the
 * release fills it in.
 */
function taskDefinitionFile(): Record<string, unknown> {
  const body = bodyOf(liveDefinition) as unknown as Record<string, unknown> & {
    containerDefinitions: Array<Record<string, unknown>>;
  };
  const [api] = body.containerDefinitions;
  const { image: _image, environment: _environment, ...rest } = api ?? {};
  return {
    ...body,
    memory: "1024",
    executionRoleArn: EXECUTION_ROLE,
    containerDefinitions: [
      {
        ...rest,
        memory: 1024,
        secrets: [{ name: "DB_PASSWORD", valueFrom: secretArn }],
        command: [
          "node",
          "-e",
          `console.log("secret digest " + require("node:crypto").createHash("sha256").update(process.env.DB_PASSWORD ?? "").digest("hex")); import("/app/server.mjs");`,
        ],
      },
    ],
  };
}

async function writeConfig(name: string, file: unknown, format: "json" | "yaml" = "yaml") {
  const path = join(tmp, `${name}.${format}`);
  await writeFile(path, format === "json" ? JSON.stringify(file, null, 2) : stringify(file));
  const site = (await buildSite(join(tmp, `${name}-site`), { releaseId: name })).dir;
  const config = join(tmp, `${name}.shipline.yml`);
  await writeFile(
    config,
    stringify({
      version: 1,
      region: stack.cloud.region,
      environments: {
        production: {
          cluster: stack.cluster,
          service: stack.service,
          containers: { api: { repository: "shipline/api" } },
          "task-definition": path,
          bucket: BUCKET,
          web: site,
          gate: { timeout: "90s", interval: "1s", "healthy-polls": 2, "grace-period": "1s" },
          "release-env": ["api:RELEASE_ID"],
        },
      },
    }),
  );
  return { config, path };
}

let runs = 0;
/** Runs `shipline <args>` in this process; returns its end and the writes it made. */
async function shipline(args: string[]): Promise<RunEnd & { writes: string[]; calls: string[] }> {
  runs += 1;
  const since = stack.cloud.requestLog.lastSeq;
  const end = await runShipline({
    args,
    env: {
      ...stack.cloud.env(),
      AWS_REGION: stack.cloud.region,
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_RUN_ID: String(runs),
      GITHUB_ACTOR: "tester",
    },
    spawned: false,
  }).done;
  const calls = stack.cloud.requestLog.list({ sinceSeq: since });
  const command = args[0] ?? "";
  if (command === "diff") {
    expect(await missingFromPolicy("diff", actionsNeeded(calls)), "diff.json").toEqual([]);
  }
  return {
    ...end,
    calls: calls.map((call) => `${call.service} ${call.operation}`),
    writes: calls
      .filter(
        (call) =>
          (call.service === "ecs" && !/^(Describe|List)/.test(call.operation)) ||
          (call.service === "s3" && /^(Put|Delete|Copy|Create)/.test(call.operation)) ||
          call.service === "registry",
      )
      .map((call) => `${call.service} ${call.operation}`),
  };
}

const pathsOf = (output: string) =>
  [...output.matchAll(/^\s+(\S+): .* → .*$/gm)].map((match) => match[1]);

describe("a task definition file", () => {
  it("diff lists exactly the fields the release changes, and writes nothing", async () => {
    const { config } = await writeConfig("diff", taskDefinitionFile());
    const end = await shipline([
      "diff",
      "--config",
      config,
      "--images",
      `api=${stack.apiImageNext}`,
    ]);
    expect(end.code, end.output).toBe(ExitCode.Success);
    expect(pathsOf(end.output)).toEqual([
      "containerDefinitions[api].command",
      "containerDefinitions[api].environment[RELEASE_ID].value",
      "containerDefinitions[api].image",
      "containerDefinitions[api].memory",
      "containerDefinitions[api].secrets",
      "executionRoleArn",
      "memory",
    ]);
    const lines = end.output.split("\n");
    expect(lines).toContain("  memory: 512 → 1024");
    expect(lines).toContain("  containerDefinitions[api].memory: (none) → 1024");
    expect(end.output).toContain(
      `containerDefinitions[api].image: ${stack.apiImage} → ${stack.apiImageNext}`,
    );
    expect(end.writes).toEqual([]);
    expect(end.calls).toEqual(
      expect.arrayContaining(["ecs DescribeServices", "ecs DescribeTaskDefinition"]),
    );
  });

  it("deploy --dry-run prints the same changes in its plan, and writes nothing", async () => {
    const { config } = await writeConfig("dry", taskDefinitionFile());
    const end = await shipline([
      "deploy",
      "--config",
      config,
      "--images",
      `api=${stack.apiImageNext}`,
      "--dry-run",
    ]);
    expect(end.code, end.output).toBe(ExitCode.Success);
    expect(end.output).toMatch(/task definition.*7 changed field\(s\)/);
    expect(end.output).toMatch(/task definition\s*\|?\s*memory: 512 → 1024/);
    expect(end.writes).toEqual([]);
  });

  it("a bad file is refused with exit 4, naming the file and the fields, before any write", async () => {
    const bad = { ...liveDefinition, ...taskDefinitionFile() } as Record<string, unknown>;
    const containers = bad.containerDefinitions as Array<Record<string, unknown>>;
    bad.containerDefinitions = [{ ...containers[0], memroy: 2048 }];
    const { config, path } = await writeConfig("bad", bad, "json");
    const end = await shipline([
      "deploy",
      "--config",
      config,
      "--images",
      `api=${stack.apiImageNext}`,
    ]);
    expect(end.code, end.output).toBe(ExitCode.BadInput);
    expect(end.output).toContain(`task definition file ${path}: revision: is read-only`);
    expect(end.output).toContain(`task definition file ${path}: taskDefinitionArn: is read-only`);
    expect(end.output).toContain(
      `task definition file ${path}: containerDefinitions[api].memroy: unknown field`,
    );
    expect(end.writes).toEqual([]);

    const renamed = taskDefinitionFile();
    (renamed.containerDefinitions as Array<Record<string, unknown>>)[0] = {
      ...(renamed.containerDefinitions as Array<Record<string, unknown>>)[0],
      name: "app",
    };
    const other = await writeConfig("renamed", renamed);
    const refused = await shipline([
      "deploy",
      "--config",
      other.config,
      "--images",
      `api=${stack.apiImageNext}`,
    ]);
    expect(refused.code, refused.output).toBe(ExitCode.BadInput);
    expect(refused.output).toContain(
      `task definition file ${other.path}: containerDefinitions: has no container "api", which the release has an image for`,
    );
    expect(refused.writes).toEqual([]);
  });

  it("a release deploys the file: more memory and a secret the new tasks see, never printed", async () => {
    const { config } = await writeConfig("release", taskDefinitionFile());
    const end = await shipline([
      "deploy",
      "--config",
      config,
      "--images",
      `api=${stack.apiImageNext}`,
    ]);
    expect(end.code, end.output).toBe(ExitCode.Success);
    expect(end.output).not.toContain(SECRET);
    const service = await stack.describe();
    const arn = service.taskDefinition ?? "";
    expect(arn).not.toBe(live);
    await waitSteadyOn(stack, arn, "the release steady");
    const described = (
      await stack.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))
    ).taskDefinition;
    expect(described?.memory).toBe("1024");
    expect(described?.executionRoleArn).toBe(EXECUTION_ROLE);
    const api = described?.containerDefinitions?.[0];
    expect(api?.memory).toBe(1024);
    expect(api?.secrets).toEqual([{ name: "DB_PASSWORD", valueFrom: secretArn }]);
    expect(api?.image).toBe(stack.apiImageNext);
    expect(api?.environment).toEqual([{ name: "RELEASE_ID", value: expect.stringMatching(/\S/) }]);

    // The new task logged a digest of the value it found in DB_PASSWORD.
    const digest = createHash("sha256").update(SECRET).digest("hex");
    const seen = await waitFor("the new task's digest of its secret", async () => {
      const events = await stack.clients.logs.send(
        new FilterLogEventsCommand({ logGroupName: "/ecs/web", filterPattern: "secret digest" }),
      );
      const messages = (events.events ?? []).map((event) => event.message ?? "");
      return messages.length > 0 ? messages : undefined;
    });
    expect(seen).toContain(`secret digest ${digest}`);

    // Run again, the file unchanged: nothing left to change.
    const again = await shipline([
      "diff",
      "--config",
      config,
      "--images",
      `api=${stack.apiImageNext}`,
    ]);
    expect(pathsOf(again.output)).toEqual([
      "containerDefinitions[api].environment[RELEASE_ID].value",
    ]);
  });
});
