import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDist, DIST } from "./build-dist";

const ACTIONS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Every file under `folder`, relative to `root`; source maps are never committed, so not compared. */
async function listFiles(root: string, folder: string): Promise<string[]> {
  const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".map"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Fails when the committed bundle differs from what the sources build to (run `npm run build`):
 * a file that changed, one missing, or one left over from an earlier layout.
 */
const folder = await mkdtemp(join(tmpdir(), "shipline-dist-"));
try {
  const fresh = await buildDist(folder);
  const committed = await listFiles(ACTIONS_ROOT, DIST);
  const stale: string[] = [];
  for (const file of fresh) {
    const want = await readFile(join(folder, file));
    const have = await readFile(join(ACTIONS_ROOT, file)).catch(() => undefined);
    if (!have?.equals(want)) stale.push(`actions/${file}${have ? "" : " (missing)"}`);
  }
  for (const file of committed) {
    if (!fresh.includes(file)) stale.push(`actions/${file} (no longer built)`);
  }
  if (stale.length > 0) {
    console.error(
      `stale bundle (rebuild with: npm run build -w @shipline/actions):\n  ${stale.join("\n  ")}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`dist is up to date (${fresh.length} files)`);
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
