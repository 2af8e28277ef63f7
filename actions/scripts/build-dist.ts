import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ACTIONS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * What gets bundled: each GitHub Action's entry (action.yml → dist/index.js) and the CLI.
 * An action's bundle is a two-line stub that calls its exported entry function, so tests can
 * import the entry without running it.
 */
export const BUNDLES: { out: string; stub?: string; entry?: string }[] = [
  {
    out: "build-image/dist/index.js",
    stub: 'import { buildImageAction } from "./src/entries/build-image";\nawait buildImageAction();\n',
  },
  {
    out: "promote-image/dist/index.js",
    stub: 'import { promoteImageAction } from "./src/entries/promote-image";\nawait promoteImageAction();\n',
  },
  {
    out: "publish-web/dist/index.js",
    stub: 'import { publishWebAction } from "./src/entries/publish-web";\nawait publishWebAction();\n',
  },
  {
    out: "preview/dist/index.js",
    stub: 'import { previewAction } from "./src/entries/preview";\nawait previewAction();\n',
  },
  {
    out: "deploy-service/dist/index.js",
    stub: 'import { deployServiceAction } from "./src/entries/deploy-service";\nawait deployServiceAction();\n',
  },
  {
    out: "deploy/dist/index.js",
    stub: 'import { deployAction } from "./src/entries/deploy";\nawait deployAction();\n',
  },
  {
    out: "rollback/dist/index.js",
    stub: 'import { rollbackAction } from "./src/entries/rollback";\nawait rollbackAction();\n',
  },
  { out: "dist/shipline.mjs", entry: "src/cli/main.ts" },
];

// Bundled CommonJS dependencies may require() Node's built-ins; ESM output needs a require.
const BANNER =
  'import { createRequire as __shiplineCreateRequire } from "node:module";\nconst require = __shiplineCreateRequire(import.meta.url);';

/**
 * Bundles everything into `outRoot` (the actions folder itself, or a temporary folder to compare
 * with). Deterministic: same sources and dependencies → same bytes.
 */
export async function buildDist(outRoot: string = ACTIONS_ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const bundle of BUNDLES) {
    const result = await build({
      ...(bundle.stub
        ? {
            stdin: {
              contents: bundle.stub,
              resolveDir: ACTIONS_ROOT,
              sourcefile: `${bundle.out}.entry.ts`,
              loader: "ts" as const,
            },
          }
        : { entryPoints: [join(ACTIONS_ROOT, bundle.entry ?? "")] }),
      bundle: true,
      platform: "node",
      target: "node20",
      format: "esm",
      banner: { js: BANNER },
      legalComments: "none",
      charset: "utf8",
      write: false,
      absWorkingDir: ACTIONS_ROOT,
      logLevel: "warning",
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error(`esbuild produced nothing for ${bundle.out}`);
    const target = join(outRoot, bundle.out);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, output.contents);
    written.push(bundle.out);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of await buildDist()) console.log(`built actions/${file}`);
}
