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
  /** Content-hashed files listed by the build's asset-manifest.json. */
  immutable: ReadonlySet<string>;
  immutablePatterns: string[];
  /**
   * Files whose names carry a content hash are immutable too (see isContentHashedName): the
   * default when neither an asset manifest nor `immutable` patterns say which files are.
   */
  contentHashedNames?: boolean;
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
        : settings.immutable.has(path) ||
            isImmutable(path) ||
            (settings.contentHashedNames === true && isContentHashedName(path))
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

/**
 * Whether a file's name carries a content hash, as bundlers name their output (`index-5QFKU2XN.js`,
 * `main.3f2a1b9c.chunk.js`, `logo.8d1e4f0a6b.svg`): after the name's first part, a part set off
 * by "." or "-" of 8 or more letters and digits, with at least one digit and one letter. A
 * hash made only of letters is missed (the file is then revalidated, which is safe); words and
 * dates are not taken for hashes.
 */
export function isContentHashedName(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const [, ...parts] = name.split(/[.-]/);
  return parts.some(
    (part) => /^[A-Za-z0-9]{8,}$/.test(part) && /\d/.test(part) && /[A-Za-z]/.test(part),
  );
}

/** From the maintained MIME database; text types get `; charset=utf-8`. */
export function defaultContentType(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return mimeContentType(name) || "application/octet-stream";
}
