import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OCI_INDEX,
  pushLayout,
  REF_NAME,
  readIndex,
  writeIndex,
  writeJsonBlob,
} from "../../src/images/index";
import { run } from "../../src/runtime/exec";
import { ecrClient, login, startEcrCloud, type TestCloud, writeTinyLayout } from "./support";

/** Debian's skopeo against the registry, with the ECR password, over plain HTTP on loopback. */
let cloud: TestCloud;
let work: string;
let host: string;
let password: string;
let image: Awaited<ReturnType<typeof writeTinyLayout>>;

/** Adds an OCI index over the layout's image, tagged `tag`, as a multi-platform image would be. */
const writeIndexOver = async (
  layout: string,
  child: Awaited<ReturnType<typeof writeTinyLayout>>,
  tag: string,
) => {
  const entry = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: child.digest,
    size: child.manifest.length,
    platform: { architecture: "amd64", os: "linux" },
  };
  const index = await writeJsonBlob(layout, OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [entry],
  });
  await writeIndex(layout, [{ ...index, annotations: { [REF_NAME]: tag } }]);
  return index;
};

const skopeo = (args: string[], allowFailure = false) =>
  run("skopeo", args, { allowFailure, timeoutMs: 60_000 });

beforeAll(async () => {
  cloud = await startEcrCloud();
  work = await mkdtemp(join(tmpdir(), "ecr-skopeo-"));
  image = await writeTinyLayout(join(work, "source"), "1.0");
  ({ host, password } = await login(cloud));
  for (const repositoryName of ["web/app", "web/copy"]) {
    await ecrClient(cloud).send(new CreateRepositoryCommand({ repositoryName }));
  }
});
afterAll(async () => {
  await cloud?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("skopeo", () => {
  it("copies an image in with the ECR password; inspect and DescribeImages agree on the digest", async () => {
    await skopeo([
      "copy",
      "--quiet",
      `--dest-creds=AWS:${password}`,
      "--dest-tls-verify=false",
      image.reference,
      `docker://${host}/web/app:1.0`,
    ]);
    const { imageDetails } = await ecrClient(cloud).send(
      new DescribeImagesCommand({ repositoryName: "web/app", imageIds: [{ imageTag: "1.0" }] }),
    );
    const described = imageDetails?.[0]?.imageDigest;
    expect(described).toBe(image.digest);

    for (const reference of [`${host}/web/app:1.0`, `${host}/web/app@${image.digest}`]) {
      const { stdout } = await skopeo([
        "inspect",
        `--creds=AWS:${password}`,
        "--tls-verify=false",
        `docker://${reference}`,
      ]);
      const inspected = JSON.parse(stdout) as {
        Digest: string;
        Layers: string[];
        Architecture: string;
      };
      expect(inspected.Digest).toBe(described);
      expect(inspected.Layers).toEqual([image.layerDigest]);
      expect(inspected.Architecture).toBe("amd64");
    }

    const { stdout: raw } = await skopeo([
      "inspect",
      "--raw",
      `--creds=AWS:${password}`,
      "--tls-verify=false",
      `docker://${host}/web/app:1.0`,
    ]);
    expect(raw).toBe(image.manifest.toString("utf8"));
  });

  it("copies the image back out, by tag and by digest, byte for byte", async () => {
    for (const [reference, tag] of [
      [`${host}/web/app:1.0`, "by-tag"],
      [`${host}/web/app@${image.digest}`, "by-digest"],
    ] as const) {
      const out = join(work, `out-${tag}`);
      await skopeo([
        "copy",
        "--quiet",
        `--src-creds=AWS:${password}`,
        "--src-tls-verify=false",
        `docker://${reference}`,
        `oci:${out}:${tag}`,
      ]);
      const index = await readIndex(out);
      expect(index.manifests[0]?.digest).toBe(image.digest);
      const layer = await readFile(join(out, "blobs", "sha256", image.layerDigest.slice(7)));
      const original = await readFile(
        join(work, "source", "blobs", "sha256", image.layerDigest.slice(7)),
      );
      expect(layer.equals(original)).toBe(true);
    }
  });

  it("copies between repositories of the registry (the layers come from the store)", async () => {
    const since = cloud.requestLog.lastSeq;
    await skopeo([
      "copy",
      "--quiet",
      `--src-creds=AWS:${password}`,
      `--dest-creds=AWS:${password}`,
      "--src-tls-verify=false",
      "--dest-tls-verify=false",
      `docker://${host}/web/app:1.0`,
      `docker://${host}/web/copy:1.0`,
    ]);
    const copied = await cloud
      .service<import("../../src/services/ecr/index").EcrService>("ecr")
      .resolveImage("web/copy", "1.0");
    expect(copied?.digest).toBe(image.digest);
    const calls = cloud.requestLog.list({ sinceSeq: since, service: "registry" });
    expect(calls.filter((c) => c.operation === "PutManifest" && c.status === 201)).toHaveLength(1);
    // skopeo knows the layer is in web/app and asks for a mount instead of uploading it again.
    expect(calls.filter((c) => c.operation === "MountBlob" && c.status === 201)).toHaveLength(1);
  });

  it("pushes an OCI image index with --all and a Docker v2 schema 2 image with --format", async () => {
    const layout = join(work, "indexed");
    const child = await writeTinyLayout(layout, "child");
    const index = await writeIndexOver(layout, child, "multi");
    await skopeo([
      "copy",
      "--quiet",
      "--all",
      `--dest-creds=AWS:${password}`,
      "--dest-tls-verify=false",
      `oci:${layout}:multi`,
      `docker://${host}/web/app:multi`,
    ]);
    await skopeo([
      "copy",
      "--quiet",
      "--format=v2s2",
      `--dest-creds=AWS:${password}`,
      "--dest-tls-verify=false",
      image.reference,
      `docker://${host}/web/app:docker`,
    ]);
    const { imageDetails } = await ecrClient(cloud).send(
      new DescribeImagesCommand({
        repositoryName: "web/app",
        imageIds: [{ imageTag: "multi" }, { imageTag: "docker" }],
      }),
    );
    expect(imageDetails?.map((d) => [d.imageTags?.[0], d.imageManifestMediaType])).toEqual([
      ["multi", OCI_INDEX],
      ["docker", "application/vnd.docker.distribution.manifest.v2+json"],
    ]);
    expect(imageDetails?.[0]?.imageDigest).toBe(index.digest);
    const { stdout } = await skopeo([
      "inspect",
      "--raw",
      `--creds=AWS:${password}`,
      "--tls-verify=false",
      `docker://${host}/web/app:multi`,
    ]);
    expect(JSON.parse(stdout).manifests[0].digest).toBe(child.digest);
  });

  it("pushes through the images module's skopeo wrapper and is refused with a wrong password", async () => {
    const pushed = await pushLayout(image.reference, {
      registry: host,
      repository: "web/app",
      tag: "wrapped",
      username: "AWS",
      password,
    });
    expect(pushed.digest).toBe(image.digest);

    const refused = await skopeo(
      ["inspect", "--creds=AWS:wrong", "--tls-verify=false", `docker://${host}/web/app:1.0`],
      true,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unauthorized|authentication required/i);
  });
});
