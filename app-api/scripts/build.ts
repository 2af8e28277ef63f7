import { buildApi } from "./build-api";

/** `npx tsx app-api/scripts/build.ts [outDir]` (or `npm run build -w @shipline/app-api`). */
const result = await buildApi({ outDir: process.argv[2] });
console.log(`app-api: built ${result.files.length} files into ${result.outDir}`);
for (const file of result.files) console.log(`  ${file}`);
