import { createPostgres, type PostgresServer } from "./postgres";

/** A database the API can run on in a test: its env for startApi, and how to clean up. */
export interface Backend {
  name: "pglite" | "postgres";
  /** Env that points the API at this database (besides what each test adds). */
  env: Record<string, string>;
  /** Only for a real server: stop/start it to see the API notice. */
  server?: PostgresServer;
  teardown(): Promise<void>;
}

export type BackendFactory = { name: Backend["name"]; create(): Promise<Backend> };

export const pglite: BackendFactory = {
  name: "pglite",
  async create() {
    return { name: "pglite", env: {}, teardown: async () => {} };
  },
};

export const postgres: BackendFactory = {
  name: "postgres",
  async create() {
    const server = await createPostgres();
    await server.start();
    return {
      name: "postgres",
      env: { DATABASE_URL: server.url, MIGRATE_ON_START: "1" },
      server,
      teardown: () => server.destroy(),
    };
  },
};

export const BACKENDS: BackendFactory[] = [pglite, postgres];
