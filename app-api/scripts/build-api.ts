import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** The app-api package folder; esbuild runs from here so the bundle's path comments never vary. */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** PGlite loads these beside its code (`new URL("./pglite.wasm", import.meta.url)`), so beside the bundle. */
const PGLITE_ASSETS = ["pglite.wasm", "pglite.data", "initdb.wasm"];

// Bundled CommonJS packages call require() for Node's built-ins; an ES module has no require.
const REQUIRE_SHIM = [
  'import { createRequire as __shiplineCreateRequire } from "node:module";',
  "const require = __shiplineCreateRequire(import.meta.url);",
].join("\n");

export interface BuildApiOptions {
  /** Where server.mjs, migrate.mjs and their assets go (created if missing). Default: app-api/dist. */
  outDir?: string;
}

export interface BuiltApi {
  outDir: string;
  /** Every file written, relative to outDir, sorted. */
  files: string[];
}

function pgliteDistDir(): string {
  const require = createRequire(join(PACKAGE_DIR, "package.json"));
  return dirname(require.resolve("@electric-sql/pglite"));
}

/**
 * Bundles the API into a folder that runs with plain `node server.mjs` (no node_modules). The
 * same sources give the same bytes: no timestamps, no absolute paths; the release id, commit and
 * build time are read from the environment at run time.
 */
export async function buildApi(options: BuildApiOptions = {}): Promise<BuiltApi> {
  const outDir = resolve(options.outDir ?? join(PACKAGE_DIR, "dist"));
  await mkdir(outDir, { recursive: true });

  await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: { server: "src/main.ts", migrate: "src/migrate-main.ts" },
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: REQUIRE_SHIM },
    // node-postgres only loads its optional native binding when asked to (`pg.native`).
    external: ["pg-native"],
    legalComments: "eof",
    logLevel: "warning",
  });

  const pgliteDir = pgliteDistDir();
  for (const asset of PGLITE_ASSETS) await copyFile(join(pgliteDir, asset), join(outDir, asset));

  const migrationsOut = join(outDir, "migrations");
  await rm(migrationsOut, { recursive: true, force: true });
  await mkdir(migrationsOut);
  const migrationsIn = join(PACKAGE_DIR, "src/db/migrations");
  const sqlFiles = (await readdir(migrationsIn)).filter((file) => file.endsWith(".sql")).sort();
  for (const file of sqlFiles) await copyFile(join(migrationsIn, file), join(migrationsOut, file));

  const files = [
    "server.mjs",
    "migrate.mjs",
    ...PGLITE_ASSETS,
    ...sqlFiles.map((file) => `migrations/${file}`),
  ].sort();
  return { outDir, files };
}
