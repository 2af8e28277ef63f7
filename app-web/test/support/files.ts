import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** Every file under dir, as sorted paths relative to it with "/" separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"),
    )
    .sort();
}

/** path → sha256 of every file under dir: equal maps mean byte-identical trees. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const file of await listFiles(dir)) {
    tree[file] = createHash("sha256")
      .update(await readFile(path.join(dir, file)))
      .digest("hex");
  }
  return tree;
}
