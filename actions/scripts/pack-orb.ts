import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ORB_FOLDER } from "../src/workflows/orb";
import { packOrb } from "../src/workflows/orb-pack";

// Packs orb/ into one orb YAML, for `circleci orb publish`: `tsx actions/scripts/pack-orb.ts
// [out-file]` (default: standard output).
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The unpacked orb's files, path under the folder → text. */
export async function readOrbFolder(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(folder, path).split("\\").join("/")] = await readFile(path, "utf8");
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { text } = packOrb(await readOrbFolder(join(REPO_ROOT, ORB_FOLDER)));
  const out = process.argv[2];
  if (out) await writeFile(out, text);
  else process.stdout.write(text);
}
