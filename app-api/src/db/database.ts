/** The few database operations the service needs, the same on PGlite and on a PostgreSQL server. */
export interface Queryable {
  /** One parameterised statement; rows come back as plain objects. */
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs `work` on one connection inside BEGIN … COMMIT, rolling back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Which engine answers, for logs and reports. */
  readonly kind: "pglite" | "postgres";
  close(): Promise<void>;
}
