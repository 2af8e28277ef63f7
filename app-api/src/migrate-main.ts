import { loadConfig } from "./config";
import { loadMigrations } from "./db/migration-files";
import { migrate } from "./db/migrator";
import { openDatabase } from "./db/open";
import { logLine } from "./startup-log";

/**
 * The one-off task the deploy runs before it touches the service (dist/migrate.mjs): applies the
 * pending migrations, says which, exits 0, or non-zero with the reason.
 */
async function main(): Promise<number> {
  const config = loadConfig(process.env);
  const db = await openDatabase(config, (error) => logLine("error", error.message));
  try {
    const result = await migrate(db, await loadMigrations());
    const applied = result.applied.map((m) => `${m.version}_${m.name}`);
    logLine(
      "info",
      applied.length > 0
        ? `applied ${applied.length} migration(s): ${applied.join(", ")}`
        : `nothing to apply: all ${result.alreadyApplied} migration(s) already applied`,
      { applied, alreadyApplied: result.alreadyApplied, database: db.kind },
    );
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    logLine("fatal", `migrate failed: ${(error as Error).message}`, {
      error: (error as Error).name,
    });
    process.exit(1);
  },
);
