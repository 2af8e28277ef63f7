import { contentType as mimeContentType } from "mime-types";
import picomatch from "picomatch";
import type { FileRole, ServedHeaders } from "./manifest";

export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";
/** Entry points and other unhashed files: browsers and the CDN revalidate every time. */
export const REVALIDATE_CACHE_CONTROL = "no-cache";
export const DEFAULT_ENTRY_PATTERNS = ["**/*.html"];

/** A `PATTERN=VALUE` rule from the inputs; the first matching rule wins. */
export interface HeaderRule {
  pattern: string;
  value: string;
}

export interface HeaderSettings {
  /** Content-hashed files (from app-web's asset-manifest.json and the `immutable` patterns). */
  immutable: ReadonlySet<string>;
  immutablePatterns: string[];
  /** Entry points named by the asset manifest, plus files matching `entryPatterns`. */
  entryPoints: ReadonlySet<string>;
  entryPatterns: string[];
  cacheControlRules: HeaderRule[];
  contentTypeRules: HeaderRule[];
}

export interface FileHeaders extends ServedHeaders {
  role: FileRole;
}

const matcher = (patterns: string[]) =>
  patterns.length === 0 ? () => false : picomatch(patterns, { dot: true });

/**
 * Decides, per file path, its upload group and how it is served. Entry points win over
 * immutability: an HTML page must never be cached forever, whatever a pattern says.
 */
export function headerRules(settings: HeaderSettings): (path: string) => FileHeaders {
  const isImmutable = matcher(settings.immutablePatterns);
  const isEntry = matcher(settings.entryPatterns);
  const cacheRules = settings.cacheControlRules.map((rule) => ({
    ...rule,
    match: matcher([rule.pattern]),
  }));
  const typeRules = settings.contentTypeRules.map((rule) => ({
    ...rule,
    match: matcher([rule.pattern]),
  }));
  return (path) => {
    const role: FileRole =
      settings.entryPoints.has(path) || isEntry(path)
        ? "entry"
        : settings.immutable.has(path) || isImmutable(path)
          ? "immutable"
          : "other";
    const cacheControl =
      cacheRules.find((rule) => rule.match(path))?.value ??
      (role === "immutable" ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL);
    const contentType =
      typeRules.find((rule) => rule.match(path))?.value ?? defaultContentType(path);
    return { role, cacheControl, contentType };
  };
}

/** From the maintained MIME database; text types get `; charset=utf-8`. */
export function defaultContentType(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return mimeContentType(name) || "application/octet-stream";
}
