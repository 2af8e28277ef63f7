import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderWorkflows } from "../src/workflows/render";

// Renders .github/workflows/*.yml and .circleci/config.yml from workflows/pipelines.yml.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
for (const [path, content] of Object.entries(await renderWorkflows(REPO_ROOT))) {
  await mkdir(dirname(join(REPO_ROOT, path)), { recursive: true });
  await writeFile(join(REPO_ROOT, path), content);
  console.log(`wrote ${path}`);
}
