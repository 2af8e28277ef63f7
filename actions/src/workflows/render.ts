import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { renderCircleCi } from "./circleci";
import { renderGitHub } from "./github";
import { loadSpec } from "./spec";

export const SPEC_FILE = "workflows/pipelines.yml";

const HEADER = `# Generated from ${SPEC_FILE} by actions/scripts/write-workflows.ts: edit that file, not this one.\n`;

/** Every generated file (path relative to the repository → content), from the spec. */
export async function renderWorkflows(repoRoot: string): Promise<Record<string, string>> {
  const spec = await loadSpec(join(repoRoot, SPEC_FILE));
  return { ...renderGitHub(spec, HEADER), ...renderCircleCi(spec, HEADER) };
}

/** Generated files whose committed copy differs from what the spec renders. */
export async function staleWorkflows(repoRoot: string): Promise<string[]> {
  const rendered = await renderWorkflows(repoRoot);
  const stale: string[] = [];
  for (const [path, content] of Object.entries(rendered)) {
    const committed = await readFile(join(repoRoot, path), "utf8").catch(() => undefined);
    if (committed !== content) stale.push(path);
  }
  return stale;
}
