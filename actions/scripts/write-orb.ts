import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ORB_FOLDER, renderOrb } from "../src/workflows/orb";

// Writes the CircleCI orb's source (orb/, CircleCI's unpacked layout) from the declarations;
// a test fails when it is stale. Pack it with scripts/pack-orb.ts.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function orbSettings(root: string = REPO_ROOT) {
  const cli = JSON.parse(await readFile(join(root, "packages/cli/package.json"), "utf8"));
  const spec = parse(await readFile(join(root, "workflows/pipelines.yml"), "utf8"));
  return { cliVersion: String(cli.version), image: String(spec["circleci-image"]) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await rm(join(REPO_ROOT, ORB_FOLDER), { recursive: true, force: true });
  for (const [path, content] of Object.entries(renderOrb(await orbSettings()))) {
    const file = join(REPO_ROOT, ORB_FOLDER, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    console.log(`wrote ${ORB_FOLDER}/${path}`);
  }
}
