import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage } from "../../src/images/build-image";
import { parseBuildImageInputs } from "../../src/images/inputs";
import type { RawInputs } from "../../src/lib/inputs";
import { TerminalLogger } from "../../src/lib/logger";
import {
  type CountingProxy,
  countPushRequests,
  startCountingProxy,
} from "../helpers/counting-proxy";
import { apiInputs, writeAppFolder } from "../helpers/fixtures";
import {
  type BaseImage,
  buildBaseImage,
  pushLayout,
  startRegistry,
  type TestRegistry,
} from "../helpers/localcloud";

const exec = promisify(execFile);
const quietLogger = () => {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return new TerminalLogger({ out: sink, err: sink });
};

let registry: TestRegistry;
let proxy: CountingProxy;
let base: BaseImage;
let work: string;
let authFile: string;

beforeAll(async () => {
  [registry, base] = await Promise.all([startRegistry(), buildBaseImage("node")]);
  proxy = await startCountingProxy(registry.host);
  work = await mkdtemp(join(tmpdir(), "build-image-"));
  authFile = join(work, "auth.json");
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString("base64");
  await writeFile(authFile, JSON.stringify({ auths: { [registry.host]: { auth } } }), {
    mode: 0o600,
  });
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

function push(overrides: RawInputs) {
  proxy.reset();
  const inputs = parseBuildImageInputs(
    apiInputs({
      registry: proxy.host,
      "registry-username": registry.username,
      "registry-password": registry.password,
      "base-image": `${proxy.host}/base/node:${base.tag}`,
      ...overrides,
    }),
  );
  return buildImage(inputs, {
    logger: quietLogger(),
    ecr: () => {
      throw new Error("not ECR");
    },
  });
}

async function skopeoDigest(reference: string): Promise<string> {
  const { stdout } = await exec("skopeo", [
    "inspect",
    "--tls-verify=false",
    `--authfile=${authFile}`,
    "--format",
    "{{.Digest}}",
    `docker://${registry.host}/${reference}`,
  ]);
  return stdout.trim();
}

describe("build-image (builder oci) against Debian's docker-registry", () => {
  it("pushes an image on a base, mounting the base layers; skopeo agrees on the digest", async () => {
    const app = join(work, "app-first");
    await writeAppFolder(app, "1");
    const result = await push({
      repository: "shipline/api",
      context: app,
      tags: "rev1",
      revision: "rev1",
    });

    expect(result.image).toBe(`${proxy.host}/shipline/api@${result.digest}`);
    expect(await skopeoDigest("shipline/api:rev1")).toBe(result.digest);
    expect(result.base).toEqual({
      name: `${proxy.host}/base/node:${base.tag}`,
      digest: base.digest,
    });
    expect(result.blobs.map((blob) => [blob.role, blob.outcome])).toEqual([
      ["base layer", "mounted"],
      ["layer", "uploaded"],
      ["config", "uploaded"],
    ]);
    const counts = countPushRequests(proxy.requests);
    expect(counts).toMatchObject({ mounts: 1, uploadsStarted: 2, blobPuts: 2, manifestPuts: 1 });

    const { stdout } = await exec("skopeo", [
      "inspect",
      "--tls-verify=false",
      `--authfile=${authFile}`,
      "--config",
      `docker://${registry.host}/shipline/api:rev1`,
    ]);
    const config = JSON.parse(stdout);
    expect(config.config.Cmd).toEqual(["node", "/app/server.mjs"]);
    expect(config.config.User).toBe("1000");
    expect(config.config.ExposedPorts).toHaveProperty("3000/tcp");
    expect(config.config.Labels["org.opencontainers.image.revision"]).toBe("rev1");
    expect(config.created).toBe("2023-11-14T22:13:20Z");
  });

  it("a second push with no change uploads nothing; a new tag only puts the manifest", async () => {
    const app = join(work, "app-same");
    await writeAppFolder(app, "1");
    const first = await push({
      repository: "shipline/same",
      context: app,
      tags: "rev1",
      revision: "rev1",
    });

    const again = await push({
      repository: "shipline/same",
      context: app,
      tags: "rev1",
      revision: "rev1",
    });
    expect(again.digest).toBe(first.digest);
    expect(again.blobs.every((blob) => blob.outcome === "skipped")).toBe(true);
    expect(again.tags).toEqual([{ tag: "rev1", outcome: "unchanged" }]);
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 0,
      blobPuts: 0,
      mounts: 0,
      manifestPuts: 0,
    });

    const retagged = await push({
      repository: "shipline/same",
      context: app,
      tags: "release",
      "previous-tag": "rev1",
      revision: "rev1",
    });
    expect(retagged.digest).toBe(first.digest);
    expect(retagged.layers?.[0]?.reusedFrom).toBe("rev1");
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 0,
      blobPuts: 0,
      manifestPuts: 1,
    });
    expect(await skopeoDigest("shipline/same:release")).toBe(first.digest);
  });

  it("after a one-line change only the new layer, the config and the manifest are sent", async () => {
    const app = join(work, "app-change");
    await writeAppFolder(app, "1");
    await push({ repository: "shipline/change", context: app, tags: "rev1", revision: "rev1" });
    await writeAppFolder(app, "2");
    const changed = await push({
      repository: "shipline/change",
      context: app,
      tags: "rev2",
      "previous-tag": "rev1",
      revision: "rev2",
    });
    expect(changed.layers?.[0]?.reusedFrom).toBeUndefined();
    expect(changed.blobs.map((blob) => [blob.role, blob.outcome])).toEqual([
      ["base layer", "skipped"],
      ["layer", "uploaded"],
      ["config", "uploaded"],
    ]);
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 2,
      blobPuts: 2,
      manifestPuts: 1,
      mounts: 0,
    });
    const layer = changed.blobs.find((blob) => blob.role === "layer");
    expect(layer?.bytesUploaded).toBeLessThan(2000);
    expect(await skopeoDigest("shipline/change:rev2")).toBe(changed.digest);
  });

  it("with layers split, each layer is reused or uploaded on its own", async () => {
    const app = join(work, "app-split");
    await writeAppFolder(app, "1");
    const split = { repository: "shipline/split", context: app, layers: "public/**" };
    const first = await push({ ...split, tags: "rev1", revision: "rev1" });
    expect(first.blobs.map((blob) => [blob.role, blob.outcome])).toEqual([
      ["base layer", "mounted"],
      ["layer", "uploaded"],
      ["layer", "uploaded"],
      ["config", "uploaded"],
    ]);
    // A change in the lower layer only: the upper one (server.mjs) is reused from rev1.
    await writeFile(join(app, "public/index.txt"), "static file, changed\n");
    const changed = await push({
      ...split,
      tags: "rev2",
      "previous-tag": "rev1",
      revision: "rev2",
    });
    expect(changed.layers?.map((layer) => layer.reusedFrom)).toEqual([undefined, "rev1"]);
    expect(changed.blobs.map((blob) => [blob.role, blob.outcome])).toEqual([
      ["base layer", "skipped"],
      ["layer", "uploaded"],
      ["layer", "skipped"],
      ["config", "uploaded"],
    ]);
    expect(countPushRequests(proxy.requests)).toMatchObject({
      uploadsStarted: 2,
      blobPuts: 2,
      manifestPuts: 1,
    });
    expect(await skopeoDigest("shipline/split:rev2")).toBe(changed.digest);
  });

  it("building twice from the same sources gives the same digest, wherever the checkout is", async () => {
    const app = join(work, "app-twice");
    const elsewhere = join(work, "another-checkout", "app");
    await writeAppFolder(app, "7");
    await writeAppFolder(elsewhere, "7");
    const one = await push({
      repository: "shipline/twice-a",
      context: app,
      tags: "t",
      revision: "r",
    });
    const two = await push({
      repository: "shipline/twice-b",
      context: elsewhere,
      tags: "t",
      revision: "r",
    });
    expect(two.digest).toBe(one.digest);
    const other = await push({
      repository: "shipline/twice-c",
      context: app,
      tags: "t",
      revision: "r2",
    });
    expect(other.digest).not.toBe(one.digest);
  });

  it("takes a base from an OCI layout folder and uploads its layer", async () => {
    const app = join(work, "app-layout");
    await writeAppFolder(app, "1");
    const result = await push({
      repository: "shipline/from-layout",
      context: app,
      tags: "t",
      "base-image": base.reference,
    });
    expect(result.base?.digest).toBe(base.digest);
    expect(result.blobs.map((blob) => blob.outcome)).toEqual(["uploaded", "uploaded", "uploaded"]);
    expect(await skopeoDigest("shipline/from-layout:t")).toBe(result.digest);
  });

  it("refuses wrong credentials with a clear error, pushing nothing", async () => {
    const app = join(work, "app-creds");
    await writeAppFolder(app, "1");
    await expect(
      push({ repository: "shipline/creds", context: app, tags: "t", "registry-password": "wrong" }),
    ).rejects.toThrow(/rejected the credentials/);
  });
});
