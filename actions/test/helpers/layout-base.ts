import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Digest } from "../../src/oci/digest";
import type { ContainerConfig } from "../../src/oci/types";

/**
 * A linux/amd64 base image with no layers and the given container config, in an OCI image
 * layout folder: what `base-image: oci:<folder>` reads, with no registry.
 */
export async function writeConfigOnlyLayout(
  folder: string,
  container: ContainerConfig,
): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: container,
      rootfs: { type: "layers", diff_ids: [] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: [],
    }),
  );
  const blobs = join(folder, "blobs/sha256");
  await mkdir(blobs, { recursive: true });
  for (const blob of [config, manifest]) {
    await writeFile(join(blobs, sha256Digest(blob).slice("sha256:".length)), blob);
  }
  await writeFile(join(folder, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(folder, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: sha256Digest(manifest),
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": "base" },
        },
      ],
    }),
  );
  return `oci:${folder}:base`;
}
