import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
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
/** The CLI's program (commander and every command), which the entry loads when it must. */
const CLI_PROGRAM = { in: "src/cli/program.ts", out: "chunks/program" };

/** Where an action's full run is, relative to dist: its entry loads it once the inputs are good. */
const runChunk = (folder: string) => `chunks/run-${folder}`;

// Bundled CommonJS dependencies may require() Node's built-ins; ESM output needs a require.
const BANNER =
  'import { createRequire as __shiplineCreateRequire } from "node:module";\nconst require = __shiplineCreateRequire(import.meta.url);';

/**
 * `action:<folder>` → a two-line module that runs that action's entry function (its full run);
 * `check:<folder>` → the action's bundle entry: it checks the inputs with the entry's
 * `<function>Inputs` (see preflightAction) and loads the full run only when they are good.
 */
const actionStubs: Plugin = {
  name: "shipline-action-stubs",
  setup(builder) {
    builder.onResolve({ filter: /^(action|check):/ }, (args) => {
      const [namespace = "", folder = ""] = args.path.split(":");
      return { path: folder, namespace };
    });
    builder.onLoad({ filter: /.*/, namespace: "action" }, (args) => ({
      contents: `import { ${ACTION_ENTRIES[args.path]} } from "./src/entries/${args.path}";\nawait ${ACTION_ENTRIES[args.path]}();\n`,
      resolveDir: ACTIONS_ROOT,
      loader: "ts",
    }));
    builder.onLoad({ filter: /.*/, namespace: "check" }, (args) => {
      const inputs = `${ACTION_ENTRIES[args.path]}Inputs`;
      return {
        contents: [
          `import { preflightAction } from "./src/lib/preflight";`,
          `import { ${inputs} } from "./src/entries/${args.path}";`,
          `if (await preflightAction((log) => ${inputs}(process.env, log))) {`,
          `  await import("./${runChunk(args.path)}.mjs");`,
          "}",
          "",
        ].join("\n"),
        resolveDir: ACTIONS_ROOT,
        loader: "ts",
      };
    });
  },
};

/** The source modules (relative to the actions folder) that reach a dependency by static imports. */
function reachingDependencies(metafile: Metafile): Set<string> {
  const heavy = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string): boolean => {
    if (path.includes("node_modules/")) return true;
    if (seen.has(path)) return heavy.has(path);
    seen.add(path);
    for (const edge of metafile.inputs[path]?.imports ?? []) {
      if (edge.external || edge.kind === "dynamic-import") continue;
      if (visit(edge.path)) heavy.add(path);
    }
    return heavy.has(path);
  };
  for (const path of Object.keys(metafile.inputs)) visit(path);
  return heavy;
}

/**
 * The bundle entries' quick paths (checking inputs, the CLI's help) hold only shipline's own
 * code, in one file each: a module loads far slower from a chunk of its own than inside a
 * larger file. A module they import dynamically that reaches a dependency is loaded from the
 * split build's chunks instead (where the full runs live too); the rest is inlined.
 */
function quickPaths(split: Metafile, outdir: string): Plugin {
  const heavy = reachingDependencies(split);
  const outputOf = new Map(
    Object.entries(split.outputs).flatMap(([output, { entryPoint }]) =>
      entryPoint ? [[entryPoint, output] as const] : [],
    ),
  );
  return {
    name: "shipline-quick-paths",
    setup(builder) {
      builder.onResolve({ filter: /^\.\/chunks\// }, (args) => ({
        path: args.path,
        external: true,
      }));
      builder.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== "dynamic-import" || args.pluginData === "resolving") return undefined;
        const resolved = await builder.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: "resolving",
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const source = relative(ACTIONS_ROOT, resolved.path).split(sep).join("/");
        if (!source.includes("node_modules/") && !heavy.has(source)) return undefined;
        const output = outputOf.get(source);
        if (!output) return { errors: [{ text: `${source} has no chunk of its own to load` }] };
        const chunk = relative(outdir, join(ACTIONS_ROOT, output)).split(sep).join("/");
        return { path: `./${chunk}`, external: true };
      });
    },
  };
}

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
 * Bundles every action and the CLI into `<outRoot>/dist`, minified, in two esbuild builds: the
 * full runs with code splitting (dist/chunks: one per action and the CLI's program, shared
 * chunks such as the SDK loaded as the code reaches them), and one entry file per action and
 * for the CLI holding its quick path whole (see quickPaths). Deterministic: same sources and
 * dependencies → same bytes. Returns the written paths relative to `outRoot`, sorted.
 */
export async function buildDist(
  outRoot: string = ACTIONS_ROOT,
  options: BuildOptions = {},
): Promise<string[]> {
  const outdir = join(outRoot, DIST);
  const common = {
    bundle: true,
    format: "esm",
    platform: "node",
    // The actions run on Node 24; the CLI (same chunks) also on Node 22.
    target: "node22",
    outdir,
    outExtension: { ".js": ".mjs" },
    minify: true,
    sourcemap: options.sourcemap ? "external" : false,
    // Licences are collected whole into one file instead (see LICENSES_FILE).
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    write: false,
    absWorkingDir: ACTIONS_ROOT,
    logLevel: "warning",
  } as const;
  // The full runs: every action's and the CLI's program, sharing chunks.
  const result = await build({
    ...common,
    entryPoints: [
      CLI_PROGRAM,
      ...Object.keys(ACTION_ENTRIES).map((folder) => ({
        in: `action:${folder}`,
        out: runChunk(folder),
      })),
    ],
    plugins: [actionStubs, pureModules],
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: BANNER },
  });
  // The bundle entries: each checks its inputs (or prints the help) from one file.
  const quick = await build({
    ...common,
    entryPoints: [
      CLI_ENTRY,
      ...Object.keys(ACTION_ENTRIES).map((folder) => ({ in: `check:${folder}`, out: folder })),
    ],
    plugins: [actionStubs, quickPaths(result.metafile, outdir)],
  });
  const bundled = Object.keys(quick.metafile.inputs).filter((path) =>
    path.includes("node_modules/"),
  );
  if (bundled.length > 0) {
    throw new Error(`a bundle entry's quick path holds dependencies: ${bundled.join(", ")}`);
  }
  result.outputFiles.push(...quick.outputFiles);
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
