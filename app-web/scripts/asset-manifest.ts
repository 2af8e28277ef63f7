// asset-manifest.json tells the publisher which files are content-hashed (cache forever) and which
// are entry points (revalidate every time, upload last).

export const MANIFEST_FILE = "asset-manifest.json";

export interface AssetManifest {
  basePath: string;
  /** HTML entry points, relative to the site root. */
  entryPoints: string[];
  /** Content-hashed files, relative to the site root: their name changes whenever their bytes do. */
  immutable: string[];
  releaseId: string;
}

/** Stable bytes: keys and lists sorted, two-space indent, trailing newline. */
export function serializeManifest(manifest: AssetManifest): string {
  const sorted: AssetManifest = {
    basePath: manifest.basePath,
    entryPoints: [...manifest.entryPoints].sort(),
    immutable: [...manifest.immutable].sort(),
    releaseId: manifest.releaseId,
  };
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
