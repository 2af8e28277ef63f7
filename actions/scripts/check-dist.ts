import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLES, buildDist } from "./build-dist";

const ACTIONS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Fails when a committed bundle differs from what the sources build to (run `npm run build`). */
const folder = await mkdtemp(join(tmpdir(), "shipline-dist-"));
try {
  await buildDist(folder);
  const stale: string[] = [];
  for (const bundle of BUNDLES) {
    const fresh = await readFile(join(folder, bundle.out));
    const committed = await readFile(join(ACTIONS_ROOT, bundle.out)).catch(() => undefined);
    if (!committed?.equals(fresh)) stale.push(`actions/${bundle.out}`);
  }
  if (stale.length > 0) {
    console.error(
      `stale bundles (rebuild with: npm run build -w @shipline/actions):\n  ${stale.join("\n  ")}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`dist is up to date (${BUNDLES.length} bundles)`);
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
