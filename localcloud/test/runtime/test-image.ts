import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LayerEntry, writeLayer } from "../../src/images/layer-writer";
import {
  adoptBlob,
  initLayout,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  REF_NAME,
  writeIndex,
  writeJsonBlob,
} from "../../src/images/oci-layout";

/** An OCI layout holding one image made of these layers, tagged `tag`, for skopeo to push. */
export async function writeTestImage(
  tag: string,
  layers: LayerEntry[][],
  config: Record<string, unknown>,
): Promise<{ reference: string; layoutDir: string }> {
  const layoutDir = await mkdtemp(join(tmpdir(), `localcloud-${tag}-`));
  await initLayout(layoutDir);
  const written = [];
  for (const [index, entries] of layers.entries()) {
    const tmp = join(layoutDir, `layer-${index}`);
    const layer = await writeLayer(entries, tmp, { mtime: new Date(0) });
    await adoptBlob(layoutDir, tmp, layer.digest);
    written.push(layer);
  }
  const configBlob = await writeJsonBlob(layoutDir, OCI_CONFIG, {
    architecture: "amd64",
    os: "linux",
    config,
    rootfs: { type: "layers", diff_ids: written.map((layer) => layer.diffId) },
  });
  const manifest = await writeJsonBlob(layoutDir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configBlob,
    layers: written.map((layer) => ({
      mediaType: OCI_LAYER_GZIP,
      digest: layer.digest,
      size: layer.size,
    })),
  });
  await writeIndex(layoutDir, [{ ...manifest, annotations: { [REF_NAME]: tag } }]);
  return { reference: `oci:${layoutDir}:${tag}`, layoutDir };
}
