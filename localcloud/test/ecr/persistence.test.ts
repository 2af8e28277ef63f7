import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, describe, expect, it } from "vitest";
import type { EcrService } from "../../src/services/ecr/index";
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

const stateDir = mkdtempSync(join(tmpdir(), "ecr-state-"));
const clouds: TestCloud[] = [];
afterAll(async () => {
  for (const cloud of clouds) await cloud.dispose();
  rmSync(stateDir, { recursive: true, force: true });
});

const start = async () => {
  const cloud = await startEcrCloud({ stateDir });
  clouds.push(cloud);
  return cloud;
};

describe("state", () => {
  it("keeps repositories, images, blobs and issued passwords across a stop and start", async () => {
    const first = await start();
    await ecrClient(first).send(
      new CreateRepositoryCommand({ repositoryName: "keep/me", imageTagMutability: "IMMUTABLE" }),
    );
    const session = await login(first);
    const image = tinyImage();
    expect(
      (await pushImage(registryFetch(session.url, session.auth), "keep/me", image, "v1")).status,
    ).toBe(201);
    const before = await ecrClient(first).send(
      new DescribeImagesCommand({ repositoryName: "keep/me" }),
    );
    const registryBefore = first.endpoints.registry;
    await first.stop();

    const second = await start();
    // The registry comes back on its previous port, so repository URIs stay valid.
    expect(second.endpoints.registry).toBe(registryBefore);
    const { repositories } = await ecrClient(second).send(new DescribeRepositoriesCommand({}));
    expect(repositories?.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
      ["keep/me", "IMMUTABLE"],
    ]);
    const after = await ecrClient(second).send(
      new DescribeImagesCommand({ repositoryName: "keep/me" }),
    );
    expect(after.imageDetails).toEqual(before.imageDetails);

    const registry = registryFetch(
      second.endpoints.registry as string,
      basicAuth(session.password),
    );
    const manifest = await registry("/v2/keep/me/manifests/v1");
    expect(manifest.status).toBe(200);
    expect(Buffer.from(await manifest.arrayBuffer()).equals(image.manifest)).toBe(true);
    const layer = image.layers[0] as Buffer;
    const blob = await registry(`/v2/keep/me/blobs/${sha256(layer)}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(layer)).toBe(true);
    // Immutability is part of the state too.
    expect((await pushImage(registry, "keep/me", tinyImage(), "v1")).status).toBe(400);
  });
});

describe("the registry port", () => {
  it("moves to a free port when the previous one is taken", async () => {
    const own = mkdtempSync(join(tmpdir(), "ecr-port-"));
    const first = await startEcrCloud({ stateDir: own });
    const previous = Number(new URL(first.endpoints.registry as string).port);
    await first.stop();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(previous, "127.0.0.1", resolve));
    try {
      const second = await startEcrCloud({ stateDir: own });
      clouds.push(second);
      const port = Number(new URL(second.endpoints.registry as string).port);
      expect(port).not.toBe(previous);
      const { auth } = await login(second);
      expect(
        (await fetch(`${second.endpoints.registry}/v2/`, { headers: { authorization: auth } }))
          .status,
      ).toBe(200);
    } finally {
      squatter.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});

describe("the in-process API for other services", () => {
  it("resolves images by tag and digest, reads blobs and issues registry passwords", async () => {
    const cloud = await startEcrCloud();
    clouds.push(cloud);
    await ecrClient(cloud).send(new CreateRepositoryCommand({ repositoryName: "inproc/app" }));
    const ecr = cloud.service<EcrService>("ecr");
    expect(ecr.registryUrl()).toBe(cloud.endpoints.registry);
    expect(`http://${ecr.registryHost()}`).toBe(ecr.registryUrl());

    const internal = ecr.issueRegistryPassword();
    expect(internal.username).toBe("AWS");
    expect(internal.expiresAt).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const registry = registryFetch(ecr.registryUrl(), basicAuth(internal.password));
    const image = tinyImage("application/vnd.oci.image.manifest.v1+json");
    expect((await pushImage(registry, "inproc/app", image, "internal")).status).toBe(201);

    const byTag = await ecr.resolveImage("inproc/app", "internal");
    expect(byTag).toMatchObject({ digest: image.digest, mediaType: image.mediaType });
    expect(byTag?.manifest.equals(image.manifest)).toBe(true);
    expect((await ecr.resolveImage("inproc/app", image.digest))?.digest).toBe(image.digest);
    expect(await ecr.resolveImage("inproc/app", "no-such-tag")).toBeUndefined();
    expect(await ecr.resolveImage("no/repo", "internal")).toBeUndefined();

    expect((await ecr.readBlob(sha256(image.config)))?.equals(image.config)).toBe(true);
    expect(await ecr.readBlob(sha256("absent"))).toBeUndefined();
    const chunks: Buffer[] = [];
    for await (const chunk of ecr.openBlob(sha256(image.config)) ?? [])
      chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(image.config)).toBe(true);
  });
});
