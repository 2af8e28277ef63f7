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

const file = (path: string, content: string): LayerEntry => ({
  type: "file",
  path,
  mode: 0o644,
  content: Buffer.from(content),
});

/**
 * A two-layer image whose second layer deletes a file (`.wh.` whiteout), empties a folder
 * (opaque whiteout) and adds files, to check that unpacking honours both kinds.
 */
export async function writeLayeredImage(): Promise<{ reference: string; layoutDir: string }> {
  const layoutDir = await mkdtemp(join(tmpdir(), "localcloud-layered-"));
  await initLayout(layoutDir);
  const layers: LayerEntry[][] = [
    [
      file("/data/keep.txt", "kept from layer 1"),
      file("/data/gone.txt", "deleted by layer 2"),
      file("/data/sub/deep.txt", "deleted with its folder"),
      file("/opaque/old.txt", "hidden by the opaque marker"),
      file("/opaque/dir/old.txt", "hidden too"),
      { type: "symlink", path: "/data-link", target: "/data" },
    ],
    [
      file("/data/.wh.gone.txt", ""),
      file("/data/.wh.sub", ""),
      file("/data/added.txt", "added by layer 2"),
      file("/opaque/new.txt", "written by layer 2"),
      file("/opaque/.wh..wh..opq", ""),
    ],
  ];
  const written = [];
  for (const [index, entries] of layers.entries()) {
    const tmp = join(layoutDir, `layer-${index}`);
    const layer = await writeLayer(entries, tmp, { mtime: new Date(0) });
    await adoptBlob(layoutDir, tmp, layer.digest);
    written.push(layer);
  }
  const config = await writeJsonBlob(layoutDir, OCI_CONFIG, {
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["/bin/true"] },
    rootfs: { type: "layers", diff_ids: written.map((layer) => layer.diffId) },
  });
  const manifest = await writeJsonBlob(layoutDir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: written.map((layer) => ({
      mediaType: OCI_LAYER_GZIP,
      digest: layer.digest,
      size: layer.size,
    })),
  });
  await writeIndex(layoutDir, [{ ...manifest, annotations: { [REF_NAME]: "layered" } }]);
  return { reference: `oci:${layoutDir}:layered`, layoutDir };
}
