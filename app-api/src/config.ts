import { z } from "zod";

/** What a release can be told to do wrong on purpose, so a deploy's health gate can be shown to work. */
export const APP_FAULTS = ["none", "unhealthy", "crash-on-start", "api-errors", "slow"] as const;
export type AppFault = (typeof APP_FAULTS)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A variable that is unset or empty counts as "not given", as in most shells and task definitions. */
const unsetIfEmpty = (value: unknown) => (value === "" ? undefined : value);

const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());

const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: `expected an integer between ${min} and ${max}` })
      .int({ error: `expected an integer between ${min} and ${max}` })
      .min(min, { error: `expected an integer between ${min} and ${max}` })
      .max(max, { error: `expected an integer between ${min} and ${max}` })
      .default(fallback),
  );

const flag = z.preprocess(
  unsetIfEmpty,
  z
    .enum(["1", "0", "true", "false"], { error: 'expected "1", "0", "true" or "false"' })
    .optional()
    .transform((value) => (value === undefined ? undefined : value === "1" || value === "true")),
);

const postgresUrl = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return url.protocol === "postgres:" || url.protocol === "postgresql:";
        } catch {
          return false;
        }
      },
      { error: "expected a URL like postgres://user:password@host:5432/database" },
    )
    .optional(),
);

const envSchema = z.object({
  PORT: integer(0, 65535, 3000),
  HOST: z.preprocess(unsetIfEmpty, z.string().default("0.0.0.0")),
  DATABASE_URL: postgresUrl,
  DATA_DIR: optionalString,
  SESSION_TTL_HOURS: integer(1, 24 * 365, 24 * 7),
  RELEASE_ID: z.preprocess(unsetIfEmpty, z.string().default("dev")),
  GIT_COMMIT: z.preprocess(unsetIfEmpty, z.string().default("unknown")),
  BUILD_TIME: optionalString,
  SHUTDOWN_TIMEOUT_MS: integer(0, 10 * 60 * 1000, 10_000),
  LOG_LEVEL: z.preprocess(
    unsetIfEmpty,
    z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
  APP_FAULT: z.preprocess(
    unsetIfEmpty,
    z.enum(APP_FAULTS, { error: `expected one of ${APP_FAULTS.join(", ")}` }).default("none"),
  ),
  APP_FAULT_DELAY_MS: integer(0, 60_000, 2000),
  MIGRATE_ON_START: flag,
  COOKIE_SECURE: flag,
  ENABLE_DEBUG_ROUTES: flag,
});

/** The service's settings, read once at start; nothing else reads the environment. */
export interface Config {
  host: string;
  port: number;
  /** A PostgreSQL server; absent means the embedded database (PGlite). */
  databaseUrl: string | undefined;
  /** Where the embedded database keeps its files; absent means in memory. */
  dataDir: string | undefined;
  sessionTtlHours: number;
  releaseId: string;
  commit: string;
  builtAt: string | null;
  shutdownTimeoutMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  fault: AppFault;
  /** How long each API call waits under APP_FAULT=slow. */
  faultDelayMs: number;
  /** Apply pending migrations when the server starts (default: only for the embedded database). */
  migrateOnStart: boolean;
  /** Mark the session cookie `Secure` (set it when the site is served over HTTPS only). */
  cookieSecure: boolean;
  /** Routes that exist only for tests, such as a deliberately slow request. */
  debugRoutes: boolean;
}

/** A bad setting: the message names the variable, the value and what was expected. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const SECRET_VARIABLES = new Set(["DATABASE_URL"]);

export type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      // A connection URL may carry a password: name it, never echo it.
      const shown = SECRET_VARIABLES.has(name) ? "" : `=${JSON.stringify(env[name] ?? "")}`;
      return `${name}${shown}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    releaseId: e.RELEASE_ID,
    commit: e.GIT_COMMIT,
    builtAt: e.BUILD_TIME ?? null,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    fault: e.APP_FAULT,
    faultDelayMs: e.APP_FAULT_DELAY_MS,
    migrateOnStart: e.MIGRATE_ON_START ?? e.DATABASE_URL === undefined,
    cookieSecure: e.COOKIE_SECURE ?? false,
    debugRoutes: e.ENABLE_DEBUG_ROUTES ?? false,
  };
}
