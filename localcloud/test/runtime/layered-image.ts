import type { LayerEntry } from "../../src/images/layer-writer";
import { writeTestImage } from "./test-image";

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
  return writeTestImage("layered", layers, { Cmd: ["/bin/true"] });
}
