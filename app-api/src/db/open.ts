import type { Database } from "./database";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

export interface DatabaseSettings {
  databaseUrl: string | undefined;
  dataDir: string | undefined;
}

/** A PostgreSQL server when a URL is given, otherwise the embedded database. */
export function openDatabase(
  settings: DatabaseSettings,
  onIdleError: (error: Error) => void,
): Promise<Database> {
  return settings.databaseUrl
    ? openPostgres(settings.databaseUrl, onIdleError)
    : openPglite(settings.dataDir);
}
