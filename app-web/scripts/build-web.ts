// Builds the SPA: esbuild bundles src/main.ts (and the CSS it imports) into content-hashed files
// under assets/, then index.html and asset-manifest.json are written around them. Same sources and
// same settings give the same bytes.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { type AssetManifest, MANIFEST_FILE, serializeManifest } from "./asset-manifest";
import { renderIndexHtml } from "./index-html";
import { type BuildWebOptions, resolveSettings } from "./settings";

export type { AssetManifest } from "./asset-manifest";
export type { BuildWebOptions } from "./settings";
export { BuildSettingsError } from "./settings";

export interface BuildWebResult {
  outDir: string;
  manifest: AssetManifest;
  /** Every file written, relative to outDir, sorted, with its size in bytes. */
  files: { path: string; bytes: number }[];
}

const DEFAULT_SOURCE_DIR = fileURLToPath(new URL("../src", import.meta.url));
const ENTRY_HTML = "index.html";

// Browsers the SPA supports; fixed here so the output never depends on the machine that builds it.
const TARGET = ["chrome109", "firefox115", "safari16", "edge109"];

export async function buildWeb(options: BuildWebOptions): Promise<BuildWebResult> {
  const settings = resolveSettings(options, DEFAULT_SOURCE_DIR);
  const outDir = path.resolve(settings.outDir);
  const sourceDir = path.resolve(settings.sourceDir);

  const bundle = await esbuild.build({
    absWorkingDir: sourceDir,
    entryPoints: { main: "main.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: TARGET,
    charset: "utf8",
    legalComments: "none",
    entryNames: "assets/[name]-[hash]",
    assetNames: "assets/[name]-[hash]",
    loader: { ".svg": "file", ".png": "file", ".woff2": "file" },
    outdir: outDir,
    write: false,
    metafile: true,
    logLevel: "silent",
  });

  const entry = Object.entries(bundle.metafile.outputs).find(
    ([, output]) => output.entryPoint === "main.ts",
  );
  if (!entry) throw new Error("esbuild produced no output for main.ts");
  // Metafile paths are relative to absWorkingDir; the site wants them relative to outDir.
  const sitePath = (file: string) =>
    path.relative(outDir, path.resolve(sourceDir, file)).split(path.sep).join("/");
  const [script, { cssBundle }] = entry;

  const files = new Map<string, Uint8Array>();
  for (const output of bundle.outputFiles) files.set(sitePath(output.path), output.contents);
  const manifest: AssetManifest = {
    basePath: settings.basePath,
    entryPoints: [ENTRY_HTML],
    immutable: [...files.keys()],
    releaseId: settings.releaseId,
  };
  const html = renderIndexHtml({
    basePath: settings.basePath,
    releaseId: settings.releaseId,
    apiBase: settings.apiBase,
    script: sitePath(script),
    stylesheets: cssBundle ? [sitePath(cssBundle)] : [],
  });
  files.set(ENTRY_HTML, new TextEncoder().encode(html));
  files.set(MANIFEST_FILE, new TextEncoder().encode(serializeManifest(manifest)));

  await prepareOutDir(outDir);
  const written: BuildWebResult["files"] = [];
  for (const [file, contents] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const target = path.join(outDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, contents);
    written.push({ path: file, bytes: contents.byteLength });
  }
  return { outDir, manifest: JSON.parse(serializeManifest(manifest)), files: written };
}

// Emptying the folder keeps stale assets out of the manifest's view; refusing a folder that is not
// a previous build keeps a wrong --out from wiping something else.
async function prepareOutDir(outDir: string): Promise<void> {
  const entries = await readdir(outDir).catch((error: NodeJS.ErrnoException): string[] => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new Error(
      `refusing to empty ${JSON.stringify(outDir)}: it is not empty and holds no ${MANIFEST_FILE} from a previous build`,
    );
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
}
