import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildImage } from "../../src/images/build-image";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { promoteImage } from "../../src/images/promote";
import { createClient } from "../../src/lib/aws";
import { ConfigurationError } from "../../src/lib/errors";
import type { RawInputs } from "../../src/lib/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import { apiInputs, writeAppFolder } from "../helpers/fixtures";
import {
  type BaseImage,
  buildBaseImage,
  type EcrCloud,
  startEcrCloud,
} from "../helpers/localcloud";

const exec = promisify(execFile);
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: sink, err: sink });
let cloud: EcrCloud;
let base: BaseImage;
let work: string;
let ecr: ECRClient;

beforeAll(async () => {
  [cloud, base] = await Promise.all([startEcrCloud(), buildBaseImage("node")]);
  work = await mkdtemp(join(tmpdir(), "localcloud-ecr-"));
  // Exactly what a CI job has: the endpoint and credentials in the environment, nothing in code.
  vi.stubEnv("AWS_ENDPOINT_URL", cloud.endpoint);
  vi.stubEnv("AWS_ACCESS_KEY_ID", cloud.credentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", cloud.credentials.secretAccessKey);
  ecr = createClient(ECRClient, { region: cloud.region });
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: "shipline/api",
      imageTagMutability: "IMMUTABLE",
    }),
  );
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

function push(overrides: RawInputs) {
  return buildImage(
    parseBuildImageInputs(
      apiInputs({ "base-image": base.reference, region: cloud.region, ...overrides }),
    ),
    {
      logger,
      ecr: () => createClient(ECRClient, { region: cloud.region }),
    },
  );
}

async function describedDigest(tag: string): Promise<string | undefined> {
  const { imageDetails } = await ecr.send(
    new DescribeImagesCommand({ repositoryName: "shipline/api", imageIds: [{ imageTag: tag }] }),
  );
  return imageDetails?.[0]?.imageDigest;
}

describe("build-image and promote against localcloud's ECR (endpoint from AWS_ENDPOINT_URL)", () => {
  it("pushes; DescribeImages and skopeo agree on the digest; a re-run into the immutable repository succeeds", async () => {
    const app = join(work, "app");
    await writeAppFolder(app);
    const result = await push({
      repository: "shipline/api",
      context: app,
      tags: "abc123",
      revision: "abc123",
    });
    expect(await describedDigest("abc123")).toBe(result.digest);

    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const host = new URL(authorizationData?.[0]?.proxyEndpoint ?? "").host;
    const authFile = join(work, "auth.json");
    await writeFile(
      authFile,
      JSON.stringify({ auths: { [host]: { auth: authorizationData?.[0]?.authorizationToken } } }),
      { mode: 0o600 },
    );
    const { stdout } = await exec("skopeo", [
      "inspect",
      "--tls-verify=false",
      `--authfile=${authFile}`,
      "--format",
      "{{.Digest}}",
      `docker://${host}/shipline/api:abc123`,
    ]);
    expect(stdout.trim()).toBe(result.digest);
    expect(result.image).toBe(`${host}/shipline/api@${result.digest}`);

    const again = await push({
      repository: "shipline/api",
      context: app,
      tags: "abc123",
      revision: "abc123",
    });
    expect(again.digest).toBe(result.digest);
    expect(again.tags).toEqual([{ tag: "abc123", outcome: "unchanged" }]);
    expect(again.blobs.every((blob) => blob.outcome === "skipped")).toBe(true);

    await writeAppFolder(app, "other");
    const conflict = push({
      repository: "shipline/api",
      context: app,
      tags: "abc123",
      revision: "abc123",
    });
    await expect(conflict).rejects.toThrow(ConfigurationError);
    await expect(
      push({ repository: "shipline/api", context: app, tags: "abc123", revision: "abc123" }),
    ).rejects.toThrow(`already points at ${result.digest}`);
    expect(await describedDigest("abc123")).toBe(result.digest);
  });

  it("promotes by digest, idempotently", async () => {
    const digest = await describedDigest("abc123");
    if (!digest) throw new Error("the first test pushes abc123");
    const first = await promoteImage(
      { repository: "shipline/api", digest, tags: ["live"] },
      { ecr, logger },
    );
    expect(first.tags).toEqual([{ tag: "live", outcome: "tagged" }]);
    expect(await describedDigest("live")).toBe(digest);
    const again = await promoteImage(
      { repository: "shipline/api", digest, tags: ["live"] },
      { ecr, logger },
    );
    expect(again.tags).toEqual([{ tag: "live", outcome: "unchanged" }]);
  });

  it("names a repository that does not exist, pushing nothing", async () => {
    const app = join(work, "app2");
    await writeAppFolder(app);
    await expect(push({ repository: "shipline/nope", context: app, tags: "t" })).rejects.toThrow(
      'ECR repository "shipline/nope" does not exist',
    );
  });
});
