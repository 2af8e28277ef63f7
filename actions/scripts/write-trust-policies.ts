import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderTrustDocs, TRUST_DOCS_FILE } from "../src/setup/trust-docs";

// Rewrites the trust policies in workflows/README.md from src/setup/trust-policies.ts (the one
// source `shipline bootstrap` prints too); a test fails when they are stale.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const file = join(REPO_ROOT, TRUST_DOCS_FILE);
await writeFile(file, renderTrustDocs(await readFile(file, "utf8")));
console.log(`wrote ${TRUST_DOCS_FILE}`);
