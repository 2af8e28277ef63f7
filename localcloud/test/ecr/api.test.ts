import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  ListImagesCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ecrClient,
  login,
  pushImage,
  registryFetch,
  sha256,
  startEcrCloud,
  type TestCloud,
  tinyImage,
} from "./support";

let cloud: TestCloud;
let registry: ReturnType<typeof registryFetch>;
let counter = 0;
const ecr = () => ecrClient(cloud);
const repoName = (prefix: string) => `${prefix}-${++counter}`;

const createRepo = async (name: string, mutability: "MUTABLE" | "IMMUTABLE" = "MUTABLE") =>
  ecr().send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }));

/** Uploads the image's blobs through the registry, without a manifest. */
const uploadBlobs = async (repository: string, image: ReturnType<typeof tinyImage>) => {
  for (const blob of [image.config, ...image.layers]) {
    const response = await registry(`/v2/${repository}/blobs/uploads/?digest=${sha256(blob)}`, {
      method: "POST",
      body: blob,
    });
    expect(response.status).toBe(201);
  }
};

beforeAll(async () => {
  cloud = await startEcrCloud();
  const session = await login(cloud);
  registry = registryFetch(session.url, session.auth);
});
afterAll(async () => {
  await cloud?.dispose();
});
beforeEach(() => {
  cloud.faults.clear();
});

describe("repositories", () => {
  it("creates a repository with ARN, URI on the registry, mutability and scan settings", async () => {
    const { repository } = await ecr().send(
      new CreateRepositoryCommand({
        repositoryName: "team/api",
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    const registryHost = new URL(cloud.endpoints.registry as string).host;
    expect(repository).toMatchObject({
      repositoryName: "team/api",
      repositoryArn: `arn:aws:ecr:${cloud.region}:${cloud.accountId}:repository/team/api`,
      registryId: cloud.accountId,
      repositoryUri: `${registryHost}/team/api`,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: "AES256" },
    });
    expect(repository?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((repository?.createdAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

    await expect(
      ecr().send(new CreateRepositoryCommand({ repositoryName: "team/api" })),
    ).rejects.toMatchObject({ name: "RepositoryAlreadyExistsException" });
    await expect(
      ecr().send(new CreateRepositoryCommand({ repositoryName: "Bad_Name" })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("describes by name, pages through all, and names a missing repository", async () => {
    const names = [repoName("page"), repoName("page"), repoName("page")];
    for (const name of names) await createRepo(name);
    const described = await ecr().send(
      new DescribeRepositoriesCommand({ repositoryNames: [names[1] as string] }),
    );
    expect(described.repositories?.map((r) => r.repositoryName)).toEqual([names[1]]);

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecr().send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      expect(page.repositories?.length ?? 0).toBeLessThanOrEqual(2);
      seen.push(...(page.repositories ?? []).map((r) => r.repositoryName ?? ""));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual(expect.arrayContaining(names));
    expect(new Set(seen).size).toBe(seen.length);

    await expect(
      ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ["does-not-exist"] })),
    ).rejects.toMatchObject({
      name: "RepositoryNotFoundException",
      message: expect.stringContaining("'does-not-exist'"),
    });
  });

  it("refuses to delete a repository with images unless forced", async () => {
    const name = repoName("delete");
    await createRepo(name);
    expect((await pushImage(registry, name, tinyImage(), "v1")).status).toBe(201);
    await expect(
      ecr().send(new DeleteRepositoryCommand({ repositoryName: name })),
    ).rejects.toMatchObject({
      name: "RepositoryNotEmptyException",
    });
    const { repository } = await ecr().send(
      new DeleteRepositoryCommand({ repositoryName: name, force: true }),
    );
    expect(repository?.repositoryName).toBe(name);
    await expect(
      ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
    ).rejects.toMatchObject({ name: "RepositoryNotFoundException" });
    expect((await registry(`/v2/${name}/manifests/v1`)).status).toBe(404);
  });

  it("switches tag mutability", async () => {
    const name = repoName("mutability");
    await createRepo(name);
    const result = await ecr().send(
      new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }),
    );
    expect(result.imageTagMutability).toBe("IMMUTABLE");
    const { repositories } = await ecr().send(
      new DescribeRepositoriesCommand({ repositoryNames: [name] }),
    );
    expect(repositories?.[0]?.imageTagMutability).toBe("IMMUTABLE");
  });

  it("switches scan on push", async () => {
    const name = repoName("scanning");
    await createRepo(name);
    const result = await ecr().send(
      new PutImageScanningConfigurationCommand({
        repositoryName: name,
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    expect(result.imageScanningConfiguration?.scanOnPush).toBe(true);
    const { repositories } = await ecr().send(
      new DescribeRepositoriesCommand({ repositoryNames: [name] }),
    );
    expect(repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(true);
  });

  it("keeps a lifecycle policy: none is LifecyclePolicyNotFoundException, a put one reads back", async () => {
    const name = repoName("lifecycle");
    await createRepo(name);
    await expect(
      ecr().send(new GetLifecyclePolicyCommand({ repositoryName: name })),
    ).rejects.toMatchObject({ name: "LifecyclePolicyNotFoundException" });
    const text = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: "keep the newest 50 images",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
          action: { type: "expire" },
        },
      ],
    });
    const put = await ecr().send(
      new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text }),
    );
    expect(put).toMatchObject({ repositoryName: name, lifecyclePolicyText: text });
    const got = await ecr().send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    expect(got.lifecyclePolicyText).toBe(text);
    expect(got.registryId).toMatch(/^\d{12}$/);
    await ecr().send(new DeleteLifecyclePolicyCommand({ repositoryName: name }));
    await expect(
      ecr().send(new GetLifecyclePolicyCommand({ repositoryName: name })),
    ).rejects.toMatchObject({ name: "LifecyclePolicyNotFoundException" });
  });

  it("refuses a lifecycle policy that is too short or not a policy, and one for a missing repository", async () => {
    const name = repoName("lifecycle-bad");
    await createRepo(name);
    await expect(
      ecr().send(
        new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: "{}" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(
      ecr().send(
        new PutLifecyclePolicyCommand({
          repositoryName: name,
          lifecyclePolicyText: "x".repeat(120),
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(
      ecr().send(new GetLifecyclePolicyCommand({ repositoryName: `${name}-missing` })),
    ).rejects.toMatchObject({ name: "RepositoryNotFoundException" });
  });
});

describe("GetAuthorizationToken", () => {
  it("issues a random password for user AWS that expires in 12 hours and opens the registry", async () => {
    const before = Date.now();
    const { authorizationData } = await ecr().send(new GetAuthorizationTokenCommand({}));
    const data = authorizationData?.[0];
    expect(data?.proxyEndpoint).toBe(cloud.endpoints.registry);
    const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
    expect(decoded).toMatch(/^AWS:.{32,}$/);
    const expiresIn = (data?.expiresAt?.getTime() ?? 0) - before;
    expect(expiresIn).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(expiresIn).toBeLessThan(12 * 3600_000 + 60_000);

    const second = await login(cloud);
    expect(`AWS:${second.password}`).not.toBe(decoded);
    const ping = await fetch(`${data?.proxyEndpoint}/v2/`, {
      headers: { authorization: `Basic ${data?.authorizationToken}` },
    });
    expect(ping.status).toBe(200);
  });
});

describe("images", () => {
  it("shows a pushed manifest in DescribeImages, ListImages and BatchGetImage", async () => {
    const name = repoName("images");
    await createRepo(name);
    const image = tinyImage();
    expect((await pushImage(registry, name, image, "v1")).status).toBe(201);

    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: name }));
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails?.[0]).toMatchObject({
      repositoryName: name,
      imageDigest: image.digest,
      imageTags: ["v1"],
      imageSizeInBytes: image.layers.reduce((sum, layer) => sum + layer.length, 0),
      imageManifestMediaType: image.mediaType,
      artifactMediaType: "application/vnd.docker.container.image.v1+json",
    });
    expect(imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);

    const listed = await ecr().send(new ListImagesCommand({ repositoryName: name }));
    expect(listed.imageIds).toEqual([{ imageDigest: image.digest, imageTag: "v1" }]);

    const got = await ecr().send(
      new BatchGetImageCommand({
        repositoryName: name,
        imageIds: [{ imageTag: "v1" }, { imageTag: "nope" }],
      }),
    );
    expect(got.images?.[0]?.imageManifest).toBe(image.manifest.toString("utf8"));
    expect(got.images?.[0]?.imageId).toEqual({ imageDigest: image.digest, imageTag: "v1" });
    expect(got.images?.[0]?.imageManifestMediaType).toBe(image.mediaType);
    expect(got.failures).toEqual([
      {
        imageId: { imageTag: "nope" },
        failureCode: "ImageNotFound",
        failureReason: "Requested image not found",
      },
    ]);

    await expect(
      ecr().send(
        new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "nope" }] }),
      ),
    ).rejects.toMatchObject({ name: "ImageNotFoundException" });
    const byDigest = await ecr().send(
      new DescribeImagesCommand({
        repositoryName: name,
        imageIds: [{ imageDigest: image.digest }],
      }),
    );
    expect(byDigest.imageDetails?.[0]?.imageTags).toEqual(["v1"]);
  });

  it("PutImage re-tags a manifest and makes it pullable from the registry", async () => {
    const name = repoName("putimage");
    await createRepo(name);
    const image = tinyImage("application/vnd.oci.image.manifest.v1+json");
    await uploadBlobs(name, image);
    const put = await ecr().send(
      new PutImageCommand({
        repositoryName: name,
        imageManifest: image.manifest.toString("utf8"),
        imageManifestMediaType: image.mediaType,
        imageTag: "release",
        imageDigest: image.digest,
      }),
    );
    expect(put.image?.imageId).toEqual({ imageDigest: image.digest, imageTag: "release" });

    const pulled = await registry(`/v2/${name}/manifests/release`, {
      headers: { accept: image.mediaType },
    });
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get("docker-content-digest")).toBe(image.digest);
    expect(pulled.headers.get("content-type")).toBe(image.mediaType);
    expect(Buffer.from(await pulled.arrayBuffer()).equals(image.manifest)).toBe(true);
  });

  it("refuses what ECR refuses: missing layers, a wrong digest, an unchanged push", async () => {
    const name = repoName("refusals");
    await createRepo(name);
    const image = tinyImage();
    const manifest = image.manifest.toString("utf8");
    await expect(
      ecr().send(
        new PutImageCommand({ repositoryName: name, imageManifest: manifest, imageTag: "a" }),
      ),
    ).rejects.toMatchObject({
      name: "LayersNotFoundException",
      message: expect.stringContaining(sha256(image.config)),
    });
    await uploadBlobs(name, image);
    await expect(
      ecr().send(
        new PutImageCommand({
          repositoryName: name,
          imageManifest: manifest,
          imageTag: "a",
          imageDigest: sha256("something else"),
        }),
      ),
    ).rejects.toMatchObject({ name: "ImageDigestDoesNotMatchException" });
    await ecr().send(
      new PutImageCommand({ repositoryName: name, imageManifest: manifest, imageTag: "a" }),
    );
    await expect(
      ecr().send(
        new PutImageCommand({ repositoryName: name, imageManifest: manifest, imageTag: "a" }),
      ),
    ).rejects.toMatchObject({ name: "ImageAlreadyExistsException" });
    await expect(
      ecr().send(
        new PutImageCommand({ repositoryName: name, imageManifest: "{not json", imageTag: "b" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("moves a tag in a mutable repository and refuses to in an immutable one", async () => {
    const mutable = repoName("mutable");
    const immutable = repoName("immutable");
    await createRepo(mutable);
    await createRepo(immutable, "IMMUTABLE");
    const first = tinyImage();
    const second = tinyImage();
    for (const name of [mutable, immutable]) {
      await uploadBlobs(name, first);
      await uploadBlobs(name, second);
      await ecr().send(
        new PutImageCommand({
          repositoryName: name,
          imageManifest: first.manifest.toString(),
          imageTag: "live",
        }),
      );
    }
    await ecr().send(
      new PutImageCommand({
        repositoryName: mutable,
        imageManifest: second.manifest.toString(),
        imageTag: "live",
      }),
    );
    const untagged = await ecr().send(
      new ListImagesCommand({ repositoryName: mutable, filter: { tagStatus: "UNTAGGED" } }),
    );
    expect(untagged.imageIds).toEqual([{ imageDigest: first.digest }]);
    const tagged = await ecr().send(
      new DescribeImagesCommand({ repositoryName: mutable, filter: { tagStatus: "TAGGED" } }),
    );
    expect(tagged.imageDetails?.map((d) => d.imageDigest)).toEqual([second.digest]);

    await expect(
      ecr().send(
        new PutImageCommand({
          repositoryName: immutable,
          imageManifest: second.manifest.toString(),
          imageTag: "live",
        }),
      ),
    ).rejects.toMatchObject({
      name: "ImageTagAlreadyExistsException",
      message: expect.stringContaining("cannot be overwritten because the repository is immutable"),
    });
    // Another tag for the same digest is fine in an immutable repository.
    await ecr().send(
      new PutImageCommand({
        repositoryName: immutable,
        imageManifest: first.manifest.toString(),
        imageTag: "v1",
      }),
    );
    const live = await ecr().send(
      new DescribeImagesCommand({ repositoryName: immutable, imageIds: [{ imageTag: "live" }] }),
    );
    expect(live.imageDetails?.[0]).toMatchObject({
      imageDigest: first.digest,
      imageTags: ["live", "v1"],
    });
  });

  it("checks layer availability and deletes by tag and by digest", async () => {
    const name = repoName("layers");
    await createRepo(name);
    const image = tinyImage();
    await pushImage(registry, name, image, "one");
    await ecr().send(
      new PutImageCommand({
        repositoryName: name,
        imageManifest: image.manifest.toString(),
        imageTag: "two",
      }),
    );
    const layer = image.layers[0] as Buffer;
    const missing = sha256("missing");
    const check = await ecr().send(
      new BatchCheckLayerAvailabilityCommand({
        repositoryName: name,
        layerDigests: [sha256(layer), missing],
      }),
    );
    expect(check.layers).toEqual([
      {
        layerDigest: sha256(layer),
        layerAvailability: "AVAILABLE",
        layerSize: layer.length,
        mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
      },
    ]);
    expect(check.failures).toEqual([
      {
        layerDigest: missing,
        failureCode: "MissingLayerDigest",
        failureReason: "Could not find layer",
      },
    ]);

    const untag = await ecr().send(
      new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "one" }] }),
    );
    expect(untag.imageIds).toEqual([{ imageDigest: image.digest, imageTag: "one" }]);
    expect((await registry(`/v2/${name}/manifests/one`)).status).toBe(404);
    expect((await registry(`/v2/${name}/manifests/two`)).status).toBe(200);

    const remove = await ecr().send(
      new BatchDeleteImageCommand({
        repositoryName: name,
        imageIds: [{ imageDigest: image.digest }, { imageTag: "gone" }],
      }),
    );
    expect(remove.imageIds).toEqual([{ imageDigest: image.digest }]);
    expect(remove.failures?.[0]).toMatchObject({
      imageId: { imageTag: "gone" },
      failureCode: "ImageNotFound",
    });
    const { imageDetails } = await ecr().send(new DescribeImagesCommand({ repositoryName: name }));
    expect(imageDetails).toEqual([]);
  });
});

describe("faults and the request log", () => {
  it("returns ThrottlingException to the SDK, whose retries then recover", async () => {
    cloud.faults.add({
      service: "ecr",
      operation: "DescribeRepositories",
      kind: "throttle",
      count: 1,
    });
    await expect(
      ecrClient(cloud, 1).send(new DescribeRepositoriesCommand({})),
    ).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });

    const since = cloud.requestLog.lastSeq;
    cloud.faults.add({
      service: "ecr",
      operation: "DescribeRepositories",
      kind: "throttle",
      count: 2,
    });
    const result = await ecrClient(cloud, 3).send(new DescribeRepositoriesCommand({}));
    expect(result.repositories?.length).toBeGreaterThan(0);
    const calls = cloud.requestLog.list({
      sinceSeq: since,
      service: "ecr",
      operation: "DescribeRepositories",
    });
    expect(calls.map((call) => call.status)).toEqual([400, 400, 200]);
  });

  it("returns an injected 500 as the SDK's InternalError", async () => {
    cloud.faults.add({ service: "ecr", operation: "ListImages", kind: "error", count: 1 });
    await expect(
      ecrClient(cloud, 1).send(new ListImagesCommand({ repositoryName: "team/api" })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  });
});
