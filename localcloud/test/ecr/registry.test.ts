import { randomBytes } from "node:crypto";
import { CreateRepositoryCommand, DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  basicAuth,
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
let registryUrl: string;
let clock = Date.now();
let counter = 0;

const newRepo = async (mutability: "MUTABLE" | "IMMUTABLE" = "MUTABLE") => {
  const name = `registry/repo-${++counter}`;
  await ecrClient(cloud).send(
    new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }),
  );
  return name;
};

const errorsOf = async (response: Response) =>
  (
    (await response.json()) as {
      errors: Array<{ code: string; message: string; detail?: unknown }>;
    }
  ).errors;

beforeAll(async () => {
  cloud = await startEcrCloud({ now: () => clock });
  const session = await login(cloud);
  registryUrl = session.url;
  registry = registryFetch(session.url, session.auth);
});
afterAll(async () => {
  await cloud?.dispose();
});
beforeEach(() => {
  cloud.faults.clear();
});

describe("authentication", () => {
  it("challenges a request without credentials or with a wrong password", async () => {
    const anonymous = await fetch(`${registryUrl}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm="/);
    expect((await errorsOf(anonymous))[0]?.code).toBe("UNAUTHORIZED");

    const wrong = await fetch(`${registryUrl}/v2/`, {
      headers: { authorization: basicAuth("guess") },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic /);

    const { password } = await login(cloud);
    const wrongUser = await fetch(`${registryUrl}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` },
    });
    expect(wrongUser.status).toBe(401);
    const right = await fetch(`${registryUrl}/v2/`, {
      headers: { authorization: basicAuth(password) },
    });
    expect(right.status).toBe(200);
  });

  it("refuses an expired password as ECR does (403 DENIED), and a new token works", async () => {
    const { password } = await login(cloud);
    clock += 12 * 3600_000 - 1_000;
    expect(
      (await fetch(`${registryUrl}/v2/`, { headers: { authorization: basicAuth(password) } }))
        .status,
    ).toBe(200);
    clock += 2_000;
    const expired = await fetch(`${registryUrl}/v2/`, {
      headers: { authorization: basicAuth(password) },
    });
    expect(expired.status).toBe(403);
    expect(await errorsOf(expired)).toEqual([
      {
        code: "DENIED",
        message: "Your authorization token has expired. Reauthenticate and try again.",
      },
    ]);
    const fresh = await login(cloud);
    registry = registryFetch(fresh.url, fresh.auth);
    expect((await registry("/v2/")).status).toBe(200);
  });
});

describe("blobs and uploads", () => {
  it("answers NAME_UNKNOWN for a repository that does not exist (ECR does not create on push)", async () => {
    const upload = await registry("/v2/not-created/blobs/uploads/", { method: "POST" });
    expect(upload.status).toBe(404);
    expect((await errorsOf(upload))[0]?.code).toBe("NAME_UNKNOWN");
    const manifest = await registry("/v2/not-created/manifests/latest");
    expect(manifest.status).toBe(404);
    expect((await errorsOf(manifest))[0]?.code).toBe("NAME_UNKNOWN");
  });

  it("takes a chunked upload with Range bookkeeping and serves the blob", async () => {
    const name = await newRepo();
    const blob = randomBytes(200_000);
    const digest = sha256(blob);
    expect((await registry(`/v2/${name}/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);

    const start = await registry(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    expect(start.status).toBe(202);
    const uuid = start.headers.get("docker-upload-uuid");
    let location = start.headers.get("location") ?? "";
    expect(location).toContain(`/v2/${name}/blobs/uploads/${uuid}`);

    const first = blob.subarray(0, 70_000);
    const patch1 = await fetch(location, {
      method: "PATCH",
      body: first,
      headers: {
        authorization: (await login(cloud)).auth,
        "content-type": "application/octet-stream",
        "content-range": `0-${first.length - 1}`,
      },
    });
    expect(patch1.status).toBe(202);
    expect(patch1.headers.get("range")).toBe(`0-${first.length - 1}`);
    location = patch1.headers.get("location") ?? "";
    const path = new URL(location).pathname;

    const outOfOrder = await registry(path, {
      method: "PATCH",
      body: blob.subarray(100_000),
      headers: { "content-range": `100000-${blob.length - 1}` },
    });
    expect(outOfOrder.status).toBe(416);
    expect((await errorsOf(outOfOrder))[0]?.code).toBe("BLOB_UPLOAD_INVALID");

    const patch2 = await registry(path, {
      method: "PATCH",
      body: blob.subarray(70_000, 150_000),
      headers: { "content-range": `70000-149999` },
    });
    expect(patch2.headers.get("range")).toBe("0-149999");
    const status = await registry(path);
    expect(status.status).toBe(204);
    expect(status.headers.get("range")).toBe("0-149999");

    const done = await registry(`${path}?digest=${digest}`, {
      method: "PUT",
      body: blob.subarray(150_000),
    });
    expect(done.status).toBe(201);
    expect(done.headers.get("docker-content-digest")).toBe(digest);
    expect(done.headers.get("location")).toContain(`/v2/${name}/blobs/${digest}`);

    const head = await registry(`/v2/${name}/blobs/${digest}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(blob.length));
    expect(head.headers.get("docker-content-digest")).toBe(digest);
    const get = await registry(`/v2/${name}/blobs/${digest}`);
    expect(Buffer.from(await get.arrayBuffer()).equals(blob)).toBe(true);
    const part = await registry(`/v2/${name}/blobs/${digest}`, {
      headers: { range: "bytes=10-19" },
    });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(blob.subarray(10, 20))).toBe(true);

    const uploads = cloud.requestLog.list({ service: "registry", operation: "PatchUpload" });
    expect(uploads.map((entry) => entry.status)).toEqual([202, 416, 202]);
    expect(uploads[0]?.bytesIn).toBe(70_000);
  });

  it("verifies the digest of a monolithic upload and keeps nothing when it is wrong", async () => {
    const name = await newRepo();
    const blob = randomBytes(5000);
    const claimed = sha256("not these bytes");
    const wrong = await registry(`/v2/${name}/blobs/uploads/?digest=${claimed}`, {
      method: "POST",
      body: blob,
    });
    expect(wrong.status).toBe(400);
    expect((await errorsOf(wrong))[0]?.code).toBe("DIGEST_INVALID");
    expect((await registry(`/v2/${name}/blobs/${claimed}`, { method: "HEAD" })).status).toBe(404);
    expect((await registry(`/v2/${name}/blobs/${sha256(blob)}`, { method: "HEAD" })).status).toBe(
      404,
    );

    const right = await registry(`/v2/${name}/blobs/uploads/?digest=${sha256(blob)}`, {
      method: "POST",
      body: blob,
    });
    expect(right.status).toBe(201);
    expect(right.headers.get("docker-content-digest")).toBe(sha256(blob));
  });

  it("mounts a blob from another repository of the registry, and falls back to an upload", async () => {
    const source = await newRepo();
    const target = await newRepo();
    const blob = randomBytes(3000);
    const digest = sha256(blob);
    await registry(`/v2/${source}/blobs/uploads/?digest=${digest}`, { method: "POST", body: blob });
    expect((await registry(`/v2/${target}/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);

    const since = cloud.requestLog.lastSeq;
    const mount = await registry(`/v2/${target}/blobs/uploads/?mount=${digest}&from=${source}`, {
      method: "POST",
    });
    expect(mount.status).toBe(201);
    expect(mount.headers.get("docker-content-digest")).toBe(digest);
    expect((await registry(`/v2/${target}/blobs/${digest}`, { method: "HEAD" })).status).toBe(200);
    expect(cloud.requestLog.list({ sinceSeq: since, operation: "MountBlob" })).toMatchObject([
      { service: "registry", status: 201, bytesIn: 0 },
    ]);

    const unknown = sha256("never uploaded");
    const fallback = await registry(
      `/v2/${target}/blobs/uploads/?mount=${unknown}&from=${source}`,
      {
        method: "POST",
      },
    );
    expect(fallback.status).toBe(202);
    expect(fallback.headers.get("docker-upload-uuid")).toBeTruthy();
  });
});

describe("manifests", () => {
  it("stores a manifest by tag and digest, with its media type, and shows it in DescribeImages", async () => {
    const name = await newRepo();
    const image = tinyImage("application/vnd.oci.image.manifest.v1+json");
    const put = await pushImage(registry, name, image, "v1");
    expect(put.status).toBe(201);
    expect(put.headers.get("docker-content-digest")).toBe(image.digest);
    expect(put.headers.get("location")).toContain(`/v2/${name}/manifests/${image.digest}`);

    for (const reference of ["v1", image.digest]) {
      const head = await registry(`/v2/${name}/manifests/${reference}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("docker-content-digest")).toBe(image.digest);
      expect(head.headers.get("content-length")).toBe(String(image.manifest.length));
      const get = await registry(`/v2/${name}/manifests/${reference}`);
      expect(get.headers.get("content-type")).toBe(image.mediaType);
      expect(Buffer.from(await get.arrayBuffer()).equals(image.manifest)).toBe(true);
    }
    const missing = await registry(`/v2/${name}/manifests/v2`);
    expect(missing.status).toBe(404);
    expect((await errorsOf(missing))[0]?.code).toBe("MANIFEST_UNKNOWN");

    const { imageDetails } = await ecrClient(cloud).send(
      new DescribeImagesCommand({ repositoryName: name }),
    );
    expect(
      imageDetails?.map((d) => [d.imageDigest, d.imageTags, d.imageManifestMediaType]),
    ).toEqual([[image.digest, ["v1"], image.mediaType]]);
  });

  it("refuses a manifest whose blobs are missing, or whose digest is not the one in the URL", async () => {
    const name = await newRepo();
    const image = tinyImage();
    const put = await registry(`/v2/${name}/manifests/v1`, {
      method: "PUT",
      body: image.manifest,
      headers: { "content-type": image.mediaType },
    });
    expect(put.status).toBe(400);
    const [error] = await errorsOf(put);
    expect(error?.code).toBe("MANIFEST_BLOB_UNKNOWN");
    expect(JSON.stringify(error?.detail)).toContain(sha256(image.config));

    const other = tinyImage();
    await pushImage(registry, name, other, "ok");
    const byWrongDigest = await registry(`/v2/${name}/manifests/${sha256("x")}`, {
      method: "PUT",
      body: other.manifest,
      headers: { "content-type": other.mediaType },
    });
    expect(byWrongDigest.status).toBe(400);
    expect((await errorsOf(byWrongDigest))[0]?.code).toBe("DIGEST_INVALID");

    const invalid = await registry(`/v2/${name}/manifests/bad`, {
      method: "PUT",
      body: "{}",
      headers: { "content-type": image.mediaType },
    });
    expect((await errorsOf(invalid))[0]?.code).toBe("MANIFEST_INVALID");
  });

  it("stores OCI indexes and Docker manifest lists over images of the repository", async () => {
    const name = await newRepo();
    const amd = tinyImage("application/vnd.oci.image.manifest.v1+json");
    const arm = tinyImage("application/vnd.oci.image.manifest.v1+json");
    await pushImage(registry, name, amd, amd.digest);
    const child = (image: ReturnType<typeof tinyImage>, architecture: string) => ({
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.manifest.length,
      platform: { os: "linux", architecture },
    });
    const indexType = "application/vnd.oci.image.index.v1+json";
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: indexType,
        manifests: [child(amd, "amd64"), child(arm, "arm64")],
      }),
    );
    const early = await registry(`/v2/${name}/manifests/multi`, {
      method: "PUT",
      body: index,
      headers: { "content-type": indexType },
    });
    expect(early.status).toBe(400);
    expect((await errorsOf(early))[0]?.code).toBe("MANIFEST_BLOB_UNKNOWN");

    await pushImage(registry, name, arm, arm.digest);
    const put = await registry(`/v2/${name}/manifests/multi`, {
      method: "PUT",
      body: index,
      headers: { "content-type": indexType },
    });
    expect(put.status).toBe(201);
    const get = await registry(`/v2/${name}/manifests/multi`);
    expect(get.headers.get("content-type")).toBe(indexType);
    expect(get.headers.get("docker-content-digest")).toBe(sha256(index));

    const dockerImage = tinyImage();
    await pushImage(registry, name, dockerImage, dockerImage.digest);
    const listType = "application/vnd.docker.distribution.manifest.list.v2+json";
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: listType,
        manifests: [child(dockerImage, "amd64")],
      }),
    );
    const putList = await registry(`/v2/${name}/manifests/list`, {
      method: "PUT",
      body: list,
      headers: { "content-type": listType },
    });
    expect(putList.status).toBe(201);
    const { imageDetails } = await ecrClient(cloud).send(
      new DescribeImagesCommand({
        repositoryName: name,
        imageIds: [{ imageTag: "multi" }, { imageTag: "list" }],
      }),
    );
    expect(imageDetails?.map((d) => d.imageManifestMediaType)).toEqual([indexType, listType]);
  });

  it("accepts the same push again in an immutable repository and refuses to move a tag", async () => {
    const name = await newRepo("IMMUTABLE");
    const image = tinyImage();
    expect((await pushImage(registry, name, image, "v1")).status).toBe(201);
    const again = await pushImage(registry, name, image, "v1");
    expect(again.status).toBe(201);
    expect(again.headers.get("docker-content-digest")).toBe(image.digest);

    const moved = await pushImage(registry, name, tinyImage(), "v1");
    expect(moved.status).toBe(400);
    const [error] = await errorsOf(moved);
    expect(error?.code).toBe("TAG_INVALID");
    expect(error?.message).toBe(
      `The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    );
    const still = await registry(`/v2/${name}/manifests/v1`, { method: "HEAD" });
    expect(still.headers.get("docker-content-digest")).toBe(image.digest);
  });

  it("deletes a manifest by digest", async () => {
    const name = await newRepo();
    const image = tinyImage();
    await pushImage(registry, name, image, "v1");
    expect(
      (await registry(`/v2/${name}/manifests/${image.digest}`, { method: "DELETE" })).status,
    ).toBe(202);
    expect((await registry(`/v2/${name}/manifests/v1`)).status).toBe(404);
  });
});

describe("tag list", () => {
  it("lists tags in order with n/last pagination and a Link to the next page", async () => {
    const name = await newRepo();
    const image = tinyImage();
    for (const tag of ["c", "a", "b"]) await pushImage(registry, name, image, tag);
    const all = await registry(`/v2/${name}/tags/list`);
    expect(await all.json()).toEqual({ name, tags: ["a", "b", "c"] });

    const first = await registry(`/v2/${name}/tags/list?n=2`);
    expect(await first.json()).toEqual({ name, tags: ["a", "b"] });
    const link = first.headers.get("link") ?? "";
    expect(link).toMatch(/rel="next"/);
    const nextPath = /<([^>]+)>/.exec(link)?.[1] ?? "";
    const second = await registry(nextPath);
    expect(await second.json()).toEqual({ name, tags: ["c"] });
    expect(second.headers.get("link")).toBeNull();
  });
});

describe("faults and the request log", () => {
  it("logs each registry call by operation, and applies faults injected for the registry", async () => {
    const name = await newRepo();
    const since = cloud.requestLog.lastSeq;
    await pushImage(registry, name, tinyImage(), "v1");
    const operations = cloud.requestLog
      .list({ sinceSeq: since, service: "registry" })
      .map((e) => e.operation);
    expect(operations).toEqual(["UploadBlob", "UploadBlob", "UploadBlob", "PutManifest"]);

    cloud.faults.add({ service: "registry", operation: "GetManifest", kind: "throttle", count: 1 });
    const throttled = await registry(`/v2/${name}/manifests/v1`);
    expect(throttled.status).toBe(429);
    expect((await errorsOf(throttled))[0]?.code).toBe("TOOMANYREQUESTS");
    expect((await registry(`/v2/${name}/manifests/v1`)).status).toBe(200);
  });
});
