import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDeclaredFiles } from "../src/declarations/render";

// Rewrites every action.yml's inputs and outputs and the README tables from the unit
// declarations; a test fails when any of them is stale.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
for (const [path, content] of Object.entries(await renderDeclaredFiles(REPO_ROOT))) {
  await writeFile(join(REPO_ROOT, path), content);
  console.log(`wrote ${path}`);
}
