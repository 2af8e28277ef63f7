import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basicAuth,
  login,
  pushImage,
  registryFetch,
  startEcrCloud,
  type TestCloud,
  tinyImage,
} from "./support";

/**
 * The AWS CLI v2 from Debian (not the unrelated `aws` that may be first on PATH). Debian's 2.9
 * predates AWS_ENDPOINT_URL, so the endpoint goes in as --endpoint-url.
 */
const AWS_CLI = "/usr/bin/aws";
let cloud: TestCloud;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const aws = (args: string[]): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(
      AWS_CLI,
      [...args, "--endpoint-url", cloud.endpoint, "--output", "json"],
      {
        env: { ...process.env, ...cloud.env(), AWS_CONFIG_FILE: "/dev/null", AWS_PAGER: "" },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

const awsJson = async <T>(args: string[]): Promise<T> => {
  const result = await aws(args);
  if (result.code !== 0)
    throw new Error(`aws ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

beforeAll(async () => {
  cloud = await startEcrCloud();
});
afterAll(async () => {
  await cloud?.dispose();
});

describe("the AWS CLI v2", () => {
  it("creates a repository, logs in, describes, fetches and re-tags images", async () => {
    const created = await awsJson<{ repository: Record<string, unknown> }>([
      "ecr",
      "create-repository",
      "--repository-name",
      "cli/app",
      "--image-tag-mutability",
      "IMMUTABLE",
    ]);
    const registryHost = new URL(cloud.endpoints.registry as string).host;
    expect(created.repository).toMatchObject({
      repositoryName: "cli/app",
      repositoryUri: `${registryHost}/cli/app`,
      imageTagMutability: "IMMUTABLE",
    });
    expect(typeof created.repository.createdAt).toBe("string");

    const login = await aws(["ecr", "get-login-password"]);
    expect(login.code).toBe(0);
    const password = login.stdout.trim();
    const registry = registryFetch(cloud.endpoints.registry as string, basicAuth(password));
    expect((await registry("/v2/")).status).toBe(200);

    const image = tinyImage();
    expect((await pushImage(registry, "cli/app", image, "v1")).status).toBe(201);

    const described = await awsJson<{ imageDetails: Array<Record<string, unknown>> }>([
      "ecr",
      "describe-images",
      "--repository-name",
      "cli/app",
    ]);
    expect(described.imageDetails).toHaveLength(1);
    expect(described.imageDetails[0]).toMatchObject({
      imageDigest: image.digest,
      imageTags: ["v1"],
      imageManifestMediaType: image.mediaType,
    });

    const fetched = await awsJson<{ images: Array<{ imageManifest: string }> }>([
      "ecr",
      "batch-get-image",
      "--repository-name",
      "cli/app",
      "--image-ids",
      "imageTag=v1",
    ]);
    const manifest = fetched.images[0]?.imageManifest ?? "";
    expect(manifest).toBe(image.manifest.toString("utf8"));

    const retagged = await awsJson<{ image: { imageId: Record<string, string> } }>([
      "ecr",
      "put-image",
      "--repository-name",
      "cli/app",
      "--image-tag",
      "v2",
      "--image-manifest",
      manifest,
    ]);
    expect(retagged.image.imageId).toEqual({ imageDigest: image.digest, imageTag: "v2" });
    const pulled = await registry("/v2/cli/app/manifests/v2");
    expect(pulled.headers.get("docker-content-digest")).toBe(image.digest);
  });

  it("reports ECR's errors: an unchanged push, a moved immutable tag, a missing repository", async () => {
    const image = tinyImage();
    const session = await login(cloud);
    await pushImage(registryFetch(session.url, session.auth), "cli/app", image, "other");
    const manifest = image.manifest.toString("utf8");

    // Independent calls run side by side: each CLI start costs seconds.
    const putImage = (tag: string) =>
      aws([
        "ecr",
        "put-image",
        "--repository-name",
        "cli/app",
        "--image-tag",
        tag,
        "--image-manifest",
        manifest,
      ]);
    const [unchanged, moved, missing] = await Promise.all([
      putImage("other"),
      putImage("v1"),
      aws(["ecr", "describe-images", "--repository-name", "cli/nope"]),
    ]);
    expect(unchanged.code).toBe(254);
    expect(unchanged.stderr).toContain("(ImageAlreadyExistsException)");

    expect(moved.code).toBe(254);
    expect(moved.stderr).toContain("(ImageTagAlreadyExistsException)");
    expect(moved.stderr).toContain("cannot be overwritten because the repository is immutable");

    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain("(RepositoryNotFoundException)");
  });
});
