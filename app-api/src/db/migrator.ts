import type { Database, Queryable } from "./database";
import type { Migration } from "./migration-files";

/** Any fixed number: it makes concurrent `migrate` runs (two tasks starting at once) take turns. */
const MIGRATION_LOCK_KEY = 727_465_001;

interface AppliedRow {
  version: string;
  checksum: string;
}

export interface MigrationResult {
  applied: Migration[];
  alreadyApplied: number;
}

async function readApplied(db: Queryable): Promise<Map<string, string>> {
  const exists = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists[0]?.present) return new Map();
  const rows = await db.query<AppliedRow>("SELECT version, checksum FROM schema_migrations");
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

function assertUnchanged(migrations: Migration[], applied: Map<string, string>): void {
  for (const migration of migrations) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new Error(
        `migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`,
      );
    }
  }
}

/** Applies every pending migration in one transaction: all of them or none. Safe to run again. */
export async function migrate(db: Database, migrations: Migration[]): Promise<MigrationResult> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    const applied = await readApplied(tx);
    assertUnchanged(migrations, applied);
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        [migration.version, migration.name, migration.checksum],
      );
    }
    return { applied: pending, alreadyApplied: migrations.length - pending.length };
  });
}

/** Versions known to this release but not yet applied to the database (for readiness). */
export async function pendingMigrations(db: Queryable, migrations: Migration[]): Promise<string[]> {
  const applied = await readApplied(db);
  return migrations.filter((m) => !applied.has(m.version)).map((m) => `${m.version}_${m.name}`);
}
