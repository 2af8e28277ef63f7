import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { buildImageAction } from "../../src/entries/build-image";
import { BUILD_IMAGE } from "../../src/images/build-image-declaration";
import { ExitCode } from "../../src/lib/errors";
import { actions, resetActions, undeclaredOutputs } from "../helpers/actions-core";
import {
  type CountingProxy,
  countPushRequests,
  startCountingProxy,
} from "../helpers/counting-proxy";
import { writeAppFolder } from "../helpers/fixtures";
import {
  type BaseImage,
  buildBaseImage,
  pushLayout,
  startRegistry,
  type TestRegistry,
} from "../helpers/localcloud";

vi.mock("@actions/core", async () => (await import("../helpers/actions-core")).actionsCore);
vi.mock(
  "../../src/lib/workflow-commands",
  async () => (await import("../helpers/actions-core")).workflowCommands,
);

const ecr = mockClient(ECRClient);
let registry: TestRegistry;
let proxy: CountingProxy;
let base: BaseImage;
let work: string;
const ENV = {
  GITHUB_SHA: "0123456789abcdef",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "example/app",
};

beforeAll(async () => {
  [registry, base] = await Promise.all([startRegistry(), buildBaseImage("node")]);
  proxy = await startCountingProxy(registry.host);
  work = await mkdtemp(join(tmpdir(), "entry-"));
  await pushLayout(base.reference, {
    registry: registry.host,
    repository: "base/node",
    tag: base.tag,
    username: registry.username,
    password: registry.password,
  });
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function ecrAnswers(mutability: "MUTABLE" | "IMMUTABLE") {
  ecr.reset();
  // The ECR token is "user:password" in base64; here it opens the test registry.
  const token = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      { authorizationToken: token, proxyEndpoint: `http://${proxy.host}`, expiresAt: new Date() },
    ],
  });
  ecr.on(DescribeRepositoriesCommand).callsFake((input: { repositoryNames: string[] }) => ({
    repositories: [
      {
        repositoryName: input.repositoryNames[0],
        repositoryUri: `${proxy.host}/${input.repositoryNames[0]}`,
        registryId: "123456789012",
        imageTagMutability: mutability,
      },
    ],
  }));
}

async function runAction(inputs: Record<string, string>): Promise<ExitCode> {
  actions.inputs = {
    "base-image": `${proxy.host}/base/node:${base.tag}`,
    cmd: '["node", "/app/server.mjs"]',
    region: "eu-west-1",
    ...inputs,
  };
  proxy.reset();
  return buildImageAction(undefined, ENV);
}

beforeEach(() => {
  // The summary goes through the mocked core; the variable only says the runner supports it.
  vi.stubEnv("GITHUB_STEP_SUMMARY", "/dev/null");
  resetActions();
  process.exitCode = undefined;
});

// Every output the action sets is one its action.yml declares.
afterEach(() => {
  expect(undeclaredOutputs(BUILD_IMAGE)).toEqual([]);
});

describe("build-image action entry", () => {
  it("pushes to ECR, masks the registry password at once, sets every output", async () => {
    ecrAnswers("MUTABLE");
    const app = join(work, "ok");
    await writeAppFolder(app);
    expect(await runAction({ repository: "shipline/api", context: app })).toBe(ExitCode.Success);
    expect(actions.failures).toEqual([]);
    expect(actions.secrets).toContain(registry.password);
    expect(actions.outputs.image).toMatch(
      new RegExp(`^${proxy.host}/shipline/api@sha256:[a-f0-9]{64}$`),
    );
    expect(actions.outputs.image).toBe(`${proxy.host}/shipline/api@${actions.outputs.digest}`);
    expect(actions.outputs.tags).toBe(ENV.GITHUB_SHA);
    expect(actions.outputs["uploaded-blobs"]).toBe("2");
    const blobs = JSON.parse(actions.outputs.blobs ?? "[]") as { outcome: string; role: string }[];
    expect(blobs.map((blob) => `${blob.role}:${blob.outcome}`)).toEqual([
      "base layer:mounted",
      "layer:uploaded",
      "config:uploaded",
    ]);
    expect(Number(actions.outputs["uploaded-bytes"])).toBeGreaterThan(0);
    expect(actions.summaries).toHaveLength(1);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  it("re-runs into an immutable repository: same tag, same digest, success and nothing sent", async () => {
    ecrAnswers("IMMUTABLE");
    const app = join(work, "immutable");
    await writeAppFolder(app);
    expect(await runAction({ repository: "shipline/immutable", context: app })).toBe(
      ExitCode.Success,
    );
    const digest = actions.outputs.digest;
    expect(await runAction({ repository: "shipline/immutable", context: app })).toBe(
      ExitCode.Success,
    );
    expect(actions.outputs.digest).toBe(digest);
    expect(actions.outputs["uploaded-blobs"]).toBe("0");
    expect(countPushRequests(proxy.requests)).toMatchObject({ uploadsStarted: 0, manifestPuts: 0 });

    // Other content under the same tag: refused with both digests, before anything is uploaded.
    await writeAppFolder(app, "changed");
    expect(await runAction({ repository: "shipline/immutable", context: app })).toBe(
      ExitCode.BadInput,
    );
    expect(actions.failures).toHaveLength(1);
    expect(actions.failures[0]).toContain(`already points at ${digest}`);
    expect(actions.failures[0]).toMatch(/this build is sha256:[a-f0-9]{64}/);
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 0,
      blobPuts: 0,
      manifestPuts: 0,
    });
  });

  it("fails with exit code 4 and one clear message when the repository does not exist", async () => {
    ecrAnswers("MUTABLE");
    ecr
      .on(DescribeRepositoriesCommand)
      .rejects(new RepositoryNotFoundException({ message: "not found", $metadata: {} }));
    const app = join(work, "norepo");
    await writeAppFolder(app);
    expect(await runAction({ repository: "shipline/missing", context: app })).toBe(
      ExitCode.BadInput,
    );
    expect(process.exitCode).toBe(ExitCode.BadInput);
    expect(actions.failures).toHaveLength(1);
    expect(actions.failures[0]).toContain('ECR repository "shipline/missing" does not exist');
    expect(proxy.requests).toEqual([]);
  });

  it("fails with exit code 4 on a missing folder and on bad inputs, naming them", async () => {
    ecrAnswers("MUTABLE");
    expect(await runAction({ repository: "shipline/api", context: join(work, "nope") })).toBe(
      ExitCode.BadInput,
    );
    expect(actions.failures[0]).toContain(`"${join(work, "nope")}" does not exist`);
    expect(countPushRequests(proxy.requests)).toMatchObject({ uploadsStarted: 0, manifestPuts: 0 });

    actions.failures = [];
    expect(await runAction({ repository: "shipline/api", platform: "linux/mips" })).toBe(
      ExitCode.BadInput,
    );
    expect(actions.failures).toEqual([
      expect.stringContaining('input "platform" platform "linux/mips" is not known'),
    ]);
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });
});
