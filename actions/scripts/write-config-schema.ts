import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configJsonSchema, SCHEMA_FILE } from "../src/config/json-schema";

// Regenerates actions/shipline.schema.json from the zod schema; a test fails when it is stale.
const ACTIONS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
await writeFile(join(ACTIONS_ROOT, SCHEMA_FILE), configJsonSchema());
