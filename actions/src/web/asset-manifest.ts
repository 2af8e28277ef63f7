import { readFile } from "node:fs/promises";
import * as z from "zod/mini";
import { ConfigurationError, quote } from "../lib/errors";
import { ASSET_MANIFEST_FILE } from "./asset-manifest-file";
import type { LocalFile } from "./walk";

export { ASSET_MANIFEST_FILE };

export interface AssetManifest {
  basePath?: string;
  entryPoints: string[];
  immutable: string[];
  releaseId?: string;
}

// zod's functional build: the smallest, for a four-field document.
const schema = z.object({
  basePath: z.optional(z.string()),
  entryPoints: z._default(z.array(z.string()), []),
  immutable: z._default(z.array(z.string()), []),
  releaseId: z.optional(z.string()),
});

/**
 * Reads the build's asset manifest when the folder has one: it names the content-hashed files
 * (cached forever) and the entry points (uploaded last). Every file it names must exist.
 */
export async function readAssetManifest(files: LocalFile[]): Promise<AssetManifest | undefined> {
  const file = files.find((candidate) => candidate.path === ASSET_MANIFEST_FILE);
  if (!file) return undefined;
  let parsed: z.output<typeof schema>;
  try {
    parsed = schema.parse(JSON.parse(await readFile(file.absolutePath, "utf8")));
  } catch (error) {
    throw new ConfigurationError(
      `${ASSET_MANIFEST_FILE} in the source folder is not a build manifest ({ entryPoints: [...], immutable: [...] }): ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const present = new Set(files.map((candidate) => candidate.path));
  const missing = [...parsed.entryPoints, ...parsed.immutable].filter((path) => !present.has(path));
  if (missing.length > 0) {
    throw new ConfigurationError(
      `${ASSET_MANIFEST_FILE} names files the source folder does not have: ${missing
        .slice(0, 5)
        .map((path) => quote(path))
        .join(", ")}`,
    );
  }
  return parsed;
}
