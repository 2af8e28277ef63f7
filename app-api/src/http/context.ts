import type { Config } from "../config";
import type { Database } from "../db/database";
import type { Migration } from "../db/migration-files";

/** What the routes need, handed to each route module (no globals). */
export interface AppContext {
  config: Config;
  db: Database;
  /** The migrations this release ships; readiness requires all of them applied. */
  migrations: Migration[];
}
