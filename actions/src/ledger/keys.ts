import { ConfigurationError, quote } from "../lib/errors";

/** The reserved prefix for shipline's own records in the deploy bucket. */
export const DEFAULT_LEDGER_PREFIX = ".shipline/";

/**
 * Where a site's manifest lives: `<ledger>web/<site>/manifest.json`, the site being "root" for the
 * bucket root and the prefix without its slash otherwise (`previews/pr-7`). One object per site,
 * so the root site and every preview are pruned from their own manifest only.
 */
export function manifestKey(ledgerPrefix: string, sitePrefix: string): string {
  return `${ledgerPrefix}web/${siteName(sitePrefix)}/manifest.json`;
}

/** Where one release's manifest is kept for the record (read by rollback and history). */
export function releaseKey(ledgerPrefix: string, sitePrefix: string, releaseId: string): string {
  return `${ledgerPrefix}web/${siteName(sitePrefix)}/releases/${releaseId}.json`;
}

/** Where a site's snapshots of entry points live, by content: `<folder><sha256>`. */
export function snapshotFolder(ledgerPrefix: string, sitePrefix: string): string {
  return `${ledgerPrefix}web/${siteName(sitePrefix)}/objects/`;
}

export function siteName(sitePrefix: string): string {
  return sitePrefix === "" ? "root" : `sites/${sitePrefix.replace(/\/$/, "")}`;
}

/** A key prefix: no leading slash, one trailing slash, no `.`/`..` segments; "" is the root. */
export function normalizePrefix(value: string, input: string): string {
  const trimmed = value.trim().replace(/^\/+/, "").replace(/\/+$/, "");
  if (trimmed === "") return "";
  const segments = trimmed.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw new ConfigurationError(
      `input "${input}" ${quote(value)} must be a key prefix like "previews/pr-7/" (no empty, "." or ".." segments)`,
    );
  }
  return `${segments.join("/")}/`;
}

/** Release ids become part of a key and a CallerReference: keep them to a safe alphabet. */
export function checkReleaseId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(value)) {
    throw new ConfigurationError(
      `release id ${quote(value)} must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return value;
}

/**
 * Where an environment's records live in the deploy bucket, under the same reserved prefix as the
 * web manifests, so one rule keeps every shipline record out of the site: one object per release,
 * one lock and one live pointer per environment.
 */
export function releasesPrefix(ledgerPrefix: string, environment: string): string {
  return `${ledgerPrefix}releases/${environment}/`;
}

export function releaseRecordKey(ledgerPrefix: string, environment: string, id: string): string {
  return `${releasesPrefix(ledgerPrefix, environment)}${id}.json`;
}

export function lockKey(ledgerPrefix: string, environment: string): string {
  return `${ledgerPrefix}locks/${environment}.json`;
}

export function livePointerKey(ledgerPrefix: string, environment: string): string {
  return `${ledgerPrefix}live/${environment}.json`;
}
