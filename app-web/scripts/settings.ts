// The build settings, validated once: a bad value stops the build with a message that quotes it.

export interface BuildWebOptions {
  /** Folder to write the site into. Emptied first (only if empty or a previous build). */
  outDir: string;
  /** URL path the site is served under, e.g. "/" or "/previews/pr-7/". Default "/". */
  basePath?: string;
  /** The release this build belongs to; shown in the page footer. Default "dev". */
  releaseId?: string;
  /** Where the SPA finds the API: a root-relative path or an absolute URL. Default "/api". */
  apiBase?: string;
  /** Folder holding main.ts and styles.css. Default: app-web/src. */
  sourceDir?: string;
}

export interface BuildSettings {
  outDir: string;
  basePath: string;
  releaseId: string;
  apiBase: string;
  sourceDir: string;
}

export class BuildSettingsError extends Error {
  override name = "BuildSettingsError";
}

const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const RELEASE_ID = /^[\x21-\x7e]{1,128}$/;

/** "/previews/pr-7" → "/previews/pr-7/"; always one leading and one trailing slash. */
export function normalizeBasePath(value: string): string {
  const segments = value.split("/").filter((segment) => segment !== "");
  const valid =
    value.startsWith("/") &&
    !value.includes("//") &&
    segments.every((s) => PATH_SEGMENT.test(s) && s !== "." && s !== "..");
  if (!valid) {
    throw new BuildSettingsError(
      `basePath ${JSON.stringify(value)} is not valid: expected a URL path such as "/" or "/previews/pr-7/" (segments of letters, digits, ".", "_", "~", "-")`,
    );
  }
  return segments.length === 0 ? "/" : `/${segments.join("/")}/`;
}

/** "/api/" → "/api"; "https://api.example.com/v1" stays an absolute URL without a trailing slash. */
export function normalizeApiBase(value: string): string {
  const trimmed = value.replace(/\/+$/, "");
  if (/^\/[^/]/.test(value) && !/[?#\s]/.test(value)) return trimmed;
  try {
    const url = new URL(value);
    if ((url.protocol === "https:" || url.protocol === "http:") && !url.search && !url.hash) {
      return trimmed;
    }
  } catch {
    // falls through to the error below
  }
  throw new BuildSettingsError(
    `apiBase ${JSON.stringify(value)} is not valid: expected a root-relative path such as "/api" or an absolute http(s) URL without query or fragment`,
  );
}

export function validateReleaseId(value: string): string {
  if (!RELEASE_ID.test(value)) {
    throw new BuildSettingsError(
      `releaseId ${JSON.stringify(value)} is not valid: expected 1 to 128 printable ASCII characters without spaces`,
    );
  }
  return value;
}

export function resolveSettings(options: BuildWebOptions, defaultSourceDir: string): BuildSettings {
  if (!options.outDir) throw new BuildSettingsError("outDir is required");
  return {
    outDir: options.outDir,
    basePath: normalizeBasePath(options.basePath ?? "/"),
    releaseId: validateReleaseId(options.releaseId ?? "dev"),
    apiBase: normalizeApiBase(options.apiBase ?? "/api"),
    sourceDir: options.sourceDir ?? defaultSourceDir,
  };
}
