// The SPA build: `buildWeb()` for code, and a CLI when run directly:
//   npx tsx app-web/scripts/build.ts --out dist --base /previews/pr-7/ --release-id abc123-42
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { BuildSettingsError, buildWeb } from "./build-web";

export type { AssetManifest, BuildWebOptions, BuildWebResult } from "./build-web";
export { BuildSettingsError, buildWeb } from "./build-web";

export async function runCli(argv: string[]): Promise<void> {
  const program = new Command("build")
    .description("Build the SPA into content-hashed assets, index.html and asset-manifest.json")
    .requiredOption("--out <dir>", "folder to write the site into")
    .option("--base <path>", "URL path the site is served under", "/")
    .option("--release-id <id>", "release id shown in the page", "dev")
    .option("--api-base <url>", "where the SPA finds the API", "/api")
    .parse(argv, { from: "user" });
  const options = program.opts<{ out: string; base: string; releaseId: string; apiBase: string }>();

  const result = await buildWeb({
    outDir: options.out,
    basePath: options.base,
    releaseId: options.releaseId,
    apiBase: options.apiBase,
  });
  for (const file of result.files) console.log(`${String(file.bytes).padStart(8)}  ${file.path}`);
  console.log(
    `built release ${result.manifest.releaseId} for ${result.manifest.basePath} into ${result.outDir}`,
  );
}

function isMain(): boolean {
  const invoked = process.argv[1];
  return invoked !== undefined && realpathSync(invoked) === fileURLToPath(import.meta.url);
}

if (isMain()) {
  runCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof BuildSettingsError ? 2 : 1;
  });
}
