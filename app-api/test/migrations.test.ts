import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db/database";
import { loadMigrations, type Migration } from "../src/db/migration-files";
import { migrate, pendingMigrations } from "../src/db/migrator";
import { openDatabase } from "../src/db/open";
import { startApi } from "../src/index";
import { BACKENDS, type Backend, postgres } from "./support/backends";
import { call } from "./support/http";

describe.each(BACKENDS)("migrations on $name", (factory) => {
  let backend: Backend;
  let db: Database;
  let migrations: Migration[];

  beforeAll(async () => {
    backend = await factory.create();
    db = await openDatabase(
      { databaseUrl: backend.env.DATABASE_URL, dataDir: undefined },
      () => {},
    );
    migrations = await loadMigrations();
  });
  afterAll(async () => {
    await db?.close();
    await backend?.teardown();
  });

  it("ships versioned SQL files in order", () => {
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort());
    expect(migrations[0]).toMatchObject({ version: "0001", name: "init" });
  });

  it("applies everything once, then nothing: idempotent", async () => {
    expect(await pendingMigrations(db, migrations)).toEqual(
      migrations.map((m) => `${m.version}_${m.name}`),
    );
    const first = await migrate(db, migrations);
    expect(first.applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    const second = await migrate(db, migrations);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations.length });
    expect(await pendingMigrations(db, migrations)).toEqual([]);
    const rows = await db.query<{ version: string }>("SELECT version FROM schema_migrations");
    expect(rows).toHaveLength(migrations.length);
  });

  it("applies only what is new, and refuses an applied migration that was edited", async () => {
    const added: Migration = {
      version: "9999",
      name: "extra",
      sql: "CREATE TABLE extra_test (id int)",
      checksum: "c-extra",
    };
    const result = await migrate(db, [...migrations, added]);
    expect(result.applied.map((m) => m.version)).toEqual(["9999"]);

    const edited = { ...added, checksum: "c-edited" };
    await expect(migrate(db, [...migrations, edited])).rejects.toThrow(/9999_extra was changed/);
  });

  it("rolls back a failing run entirely: no table, no record", async () => {
    const broken: Migration[] = [
      { version: "9990", name: "good", sql: "CREATE TABLE never_kept (id int)", checksum: "a" },
      { version: "9991", name: "bad", sql: "SELECT * FROM no_such_table", checksum: "b" },
    ];
    await expect(migrate(db, [...migrations, ...broken])).rejects.toThrow(/no_such_table/);
    const kept = await db.query<{ present: boolean }>(
      "SELECT to_regclass('never_kept') IS NOT NULL AS present",
    );
    expect(kept[0]?.present).toBe(false);
    const recorded = await db.query("SELECT 1 FROM schema_migrations WHERE version = '9990'");
    expect(recorded).toEqual([]);
  });
});

describe("readiness follows migrations (PostgreSQL server)", () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await postgres.create();
  });
  afterAll(() => backend?.teardown());

  it("/readyz is 503 until the migrate step ran, then 200", async () => {
    const api = await startApi({
      env: { DATABASE_URL: backend.env.DATABASE_URL, LOG_LEVEL: "silent" },
    });
    try {
      const before = await call(api.url, "GET", "/readyz");
      expect(before.status).toBe(503);
      expect(before.body.reason).toMatch(/migrations not applied: 0001_init/);

      const db = await openDatabase(
        { databaseUrl: backend.env.DATABASE_URL, dataDir: undefined },
        () => {},
      );
      await migrate(db, await loadMigrations());
      await db.close();

      const after = await call(api.url, "GET", "/readyz");
      expect(after).toMatchObject({ status: 200, body: { status: "ready" } });
    } finally {
      await api.stop();
    }
  });
});
