import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { thirdPartyLicenses } from "./licenses";

const ACTIONS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the bundle goes, relative to the actions folder; every action.yml points into it. */
export const DIST = "dist";
/** The third-party licence texts of everything bundled, beside the bundle. */
export const LICENSES_FILE = "licenses.txt";

/**
 * Each GitHub Action's entry function, by the action's folder name. Its bundle entry
 * (dist/<folder>.mjs) only calls it, so tests can import the entry without running it.
 */
export const ACTION_ENTRIES: Record<string, string> = {
  "build-image": "buildImageAction",
  "promote-image": "promoteImageAction",
  "publish-web": "publishWebAction",
  preview: "previewAction",
  "deploy-service": "deployServiceAction",
  deploy: "deployAction",
  rollback: "rollbackAction",
};

/** The CLI's entry, bundled as dist/shipline.mjs (the pipelines run `node actions/dist/shipline.mjs`). */
const CLI_ENTRY = { in: "src/cli/main.ts", out: "shipline" };

// Bundled CommonJS dependencies may require() Node's built-ins; ESM output needs a require.
const BANNER =
  'import { createRequire as __shiplineCreateRequire } from "node:module";\nconst require = __shiplineCreateRequire(import.meta.url);';

/** `action:<folder>` → a two-line module that runs that action's entry function. */
const actionStubs: Plugin = {
  name: "shipline-action-stubs",
  setup(builder) {
    builder.onResolve({ filter: /^action:/ }, (args) => ({
      path: args.path.slice("action:".length),
      namespace: "action",
    }));
    builder.onLoad({ filter: /.*/, namespace: "action" }, (args) => ({
      contents: `import { ${ACTION_ENTRIES[args.path]} } from "./src/entries/${args.path}";\nawait ${ACTION_ENTRIES[args.path]}();\n`,
      resolveDir: ACTIONS_ROOT,
      loader: "ts",
    }));
  },
};

/**
 * These packages only define things when imported, but do not say so (no `sideEffects: false`).
 * Declaring it lets esbuild leave out what an entry never calls: without it, @actions/core's
 * OIDC client drags undici's HTTP stack into every action's first chunk.
 */
const DECLARED_PURE = /^(@actions\/(core|http-client|exec|io)|undici|tunnel)(\/|$)/;
const pureModules: Plugin = {
  name: "shipline-pure-modules",
  setup(builder) {
    builder.onResolve({ filter: DECLARED_PURE }, async (args) => {
      if (args.pluginData === "resolving") return undefined;
      const resolved = await builder.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, sideEffects: false };
    });
  },
};

export interface BuildOptions {
  /** Also write external source maps (*.map, never committed), for debugging a bundle. */
  sourcemap?: boolean;
}

/**
 * Bundles every action and the CLI in one esbuild build with code splitting into
 * `<outRoot>/dist`: one small entry per action and for the CLI, shared chunks (the SDK, the core)
 * loaded as the code reaches them, minified. Deterministic: same sources and dependencies → same
 * bytes. Returns the written paths relative to `outRoot`, sorted.
 */
export async function buildDist(
  outRoot: string = ACTIONS_ROOT,
  options: BuildOptions = {},
): Promise<string[]> {
  const outdir = join(outRoot, DIST);
  const result = await build({
    entryPoints: [
      CLI_ENTRY,
      ...Object.keys(ACTION_ENTRIES).map((folder) => ({ in: `action:${folder}`, out: folder })),
    ],
    plugins: [actionStubs, pureModules],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    // The actions run on Node 24; the CLI (same chunks) also on Node 22.
    target: "node22",
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    minify: true,
    sourcemap: options.sourcemap ? "external" : false,
    // Licences are collected whole into one file instead (see LICENSES_FILE).
    legalComments: "none",
    banner: { js: BANNER },
    charset: "utf8",
    metafile: true,
    write: false,
    absWorkingDir: ACTIONS_ROOT,
    logLevel: "warning",
  });
  const files = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
  files.set(
    join(outdir, LICENSES_FILE),
    new TextEncoder().encode(await thirdPartyLicenses(result.metafile, ACTIONS_ROOT)),
  );
  // A chunk whose hash changed must not linger beside its successor.
  await rm(outdir, { recursive: true, force: true });
  for (const [path, contents] of files) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, contents);
  }
  return [...files.keys()].map((path) => relative(outRoot, path)).sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await buildDist(ACTIONS_ROOT, {
    sourcemap: process.argv.includes("--sourcemap"),
  });
  for (const file of written) console.log(`built actions/${file}`);
}
