import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sha256Digest } from "../../src/oci/digest";
import { layoutRegistryFetch } from "../../src/oci/layout-registry";
import { RegistryClient } from "../../src/oci/registry";
import { LayoutSource } from "../../src/oci/source";

let folder = "";
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe("a push into an OCI image layout folder", () => {
  it("stores blobs and tagged manifests that a layout reader finds, with no network", async () => {
    folder = await mkdtemp(join(tmpdir(), "layout-registry-"));
    const client = new RegistryClient({
      registry: "https://oci-layout.invalid",
      fetch: layoutRegistryFetch(folder),
    });
    const config = Buffer.from(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
    const configDigest = sha256Digest(config);
    expect(await client.headBlob("shipline/api", configDigest)).toBeUndefined();
    await client.uploadBlob("shipline/api", configDigest, config);
    expect(await client.headBlob("shipline/api", configDigest)).toBe(config.length);
    await expect(
      client.uploadBlob("shipline/api", configDigest, Buffer.from("other bytes")),
    ).rejects.toThrow(/400/);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          digest: configDigest,
          size: config.length,
        },
        layers: [],
      }),
    );
    const manifest = {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      bytes,
      digest: sha256Digest(bytes),
    };
    expect(await client.getManifest("shipline/api", "pr-7")).toBeUndefined();
    expect(await client.putManifest("shipline/api", "pr-7", manifest)).toBe(manifest.digest);
    // Tagging again replaces the tag's entry instead of adding one.
    await client.putManifest("shipline/api", "pr-7", manifest);
    const index = JSON.parse(await readFile(join(folder, "index.json"), "utf8"));
    expect(index.manifests).toHaveLength(1);
    const source = new LayoutSource(folder);
    expect((await source.getManifest("pr-7"))?.digest).toBe(manifest.digest);
    expect((await source.getManifest(""))?.digest).toBe(manifest.digest);
    expect(await source.getBlob(configDigest)).toEqual(config);
  });
});
