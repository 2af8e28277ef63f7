import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export interface Migration {
  /** The file's numeric prefix, e.g. "0001"; migrations apply in this order. */
  version: string;
  /** The rest of the file name, e.g. "init". */
  name: string;
  sql: string;
  /** sha256 of the SQL, to notice an applied migration that was edited afterwards. */
  checksum: string;
}

/**
 * The SQL files sit in `migrations/` beside this module in the sources, and beside the bundle in
 * `dist/` (the build copies them), so one relative URL finds them in both.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new Error(`migration file ${file} is not named like 0001_description.sql`);
    }
    const sql = await readFile(`${dir}/${file}`, "utf8");
    const checksum = createHash("sha256").update(sql).digest("hex");
    migrations.push({ version: match[1], name: match[2], sql, checksum });
  }
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length) {
    throw new Error(`two migration files in ${dir} share a version number`);
  }
  return migrations;
}
