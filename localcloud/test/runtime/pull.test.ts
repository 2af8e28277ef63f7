import { mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushLayout } from "../../src/images/push";
import { CannotPullContainerError } from "../../src/runtime/errors";
import { pullImage } from "../../src/runtime/pull";
import type { ImageLocation } from "../../src/runtime/registry-client";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { requireContainerPrivileges } from "./fixtures";
import { writeLayeredImage } from "./layered-image";

let registry: TestRegistry;
let stateDir: string;
let digest: string;
let layoutDir: string | undefined;
let location: (reference: string) => ImageLocation;

beforeAll(async () => {
  await requireContainerPrivileges();
  registry = await startRegistry();
  stateDir = await mkdtemp(join(tmpdir(), "localcloud-pull-"));
  const image = await writeLayeredImage();
  layoutDir = image.layoutDir;
  ({ digest } = await pushLayout(image.reference, {
    registry: registry.host,
    repository: "test/layered",
    tag: "v1",
    username: registry.username,
    password: registry.password,
  }));
  location = (reference) => ({
    registryUrl: registry.url,
    repository: "test/layered",
    reference,
    auth: { username: registry.username, password: registry.password },
  });
});

afterAll(async () => {
  await registry?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
});

/** PUTs a manifest (or index) under a tag through the Distribution API; returns its digest. */
async function putManifest(tag: string, mediaType: string, body: unknown): Promise<string> {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  const response = await fetch(`${registry.url}/v2/test/layered/manifests/${tag}`, {
    method: "PUT",
    headers: { authorization: `Basic ${auth}`, "content-type": mediaType },
    body: JSON.stringify({ schemaVersion: 2, mediaType, ...(body as object) }),
  });
  expect(response.status).toBe(201);
  return response.headers.get("docker-content-digest") ?? "";
}

interface RawManifest {
  size: number;
  config: { digest: string; size: number };
  layers: Array<{ digest: string; size: number }>;
}

async function getManifest(reference: string): Promise<RawManifest> {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  const response = await fetch(`${registry.url}/v2/test/layered/manifests/${reference}`, {
    headers: {
      authorization: `Basic ${auth}`,
      accept:
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
    },
  });
  const text = await response.text();
  return { ...JSON.parse(text), size: Buffer.byteLength(text) };
}

/** The layered image again, with Docker's media types: another manifest over the same blobs. */
async function putDockerManifest(tag: string): Promise<string> {
  const oci = await getManifest(digest);
  return putManifest(tag, "application/vnd.docker.distribution.manifest.v2+json", {
    config: { ...oci.config, mediaType: "application/vnd.docker.container.image.v1+json" },
    layers: oci.layers.map((layer) => ({
      ...layer,
      mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
    })),
  });
}

describe("pullImage", () => {
  it("unpacks the layers in order, honouring whiteouts and opaque folders", async () => {
    const image = await pullImage(stateDir, location(digest));
    expect(image.digest).toBe(digest);
    expect(image.config.Cmd).toEqual(["/bin/true"]);
    const root = image.rootfs;
    expect(await readFile(join(root, "data/keep.txt"), "utf8")).toBe("kept from layer 1");
    expect(await readFile(join(root, "data/added.txt"), "utf8")).toBe("added by layer 2");
    expect((await readdir(join(root, "data"))).sort()).toEqual(["added.txt", "keep.txt"]);
    expect(await readdir(join(root, "opaque"))).toEqual(["new.txt"]);
    expect(await readlink(join(root, "data-link"))).toBe("/data");
  });

  it("resolves a tag to the same digest and reuses the unpacked rootfs", async () => {
    const byDigest = await pullImage(stateDir, location(digest));
    const byTag = await pullImage(stateDir, location("v1"));
    expect(byTag.digest).toBe(digest);
    expect(byTag.rootfs).toBe(byDigest.rootfs);
    expect(byTag.imageRef).toBe(`${registry.host}/test/layered:v1`);
  });

  it("follows an image index to its linux/amd64 manifest, skipping other platforms", async () => {
    const { size } = await getManifest(digest);
    const other = await putDockerManifest("other");
    const entry = (manifestDigest: string, manifestSize: number, architecture: string) => ({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: manifestDigest,
      size: manifestSize,
      platform: { os: "linux", architecture },
    });
    const otherSize = (await getManifest(other)).size;
    await putManifest("multi", "application/vnd.oci.image.index.v1+json", {
      manifests: [entry(other, otherSize, "arm64"), entry(digest, size, "amd64")],
    });
    const image = await pullImage(stateDir, location("multi"));
    expect(image.digest).toBe(digest);
  });

  it("pulls an image with Docker media types", async () => {
    const dockerDigest = await putDockerManifest("docker");
    expect(dockerDigest).not.toBe(digest);
    const image = await pullImage(stateDir, location("docker"));
    expect(image.digest).toBe(dockerDigest);
    expect(await readFile(join(image.rootfs, "data/added.txt"), "utf8")).toBe("added by layer 2");
    expect(await readdir(join(image.rootfs, "opaque"))).toEqual(["new.txt"]);
  });

  it("fails a missing tag with ECS's CannotPullContainerError wording", async () => {
    const error = await pullImage(stateDir, location("nope")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CannotPullContainerError);
    expect((error as CannotPullContainerError).reason).toBe("not-found");
    expect((error as Error).message).toBe(
      `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${registry.host}/test/layered:nope: ${registry.host}/test/layered:nope: not found`,
    );
  });

  it("fails a missing repository and a missing digest the same way", async () => {
    const missingDigest = `sha256:${"0".repeat(64)}`;
    await expect(pullImage(stateDir, location(missingDigest))).rejects.toThrow(
      `${registry.host}/test/layered@${missingDigest}: not found`,
    );
    await expect(
      pullImage(stateDir, { ...location("v1"), repository: "test/absent" }),
    ).rejects.toThrow(/^CannotPullContainerError: .*test\/absent:v1: not found$/);
  });

  it("refuses wrong credentials as unauthorized", async () => {
    const error = await pullImage(stateDir, {
      ...location("v1"),
      auth: { username: registry.username, password: "wrong" },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CannotPullContainerError);
    expect((error as CannotPullContainerError).reason).toBe("unauthorized");
  });
});
