// Deployment settings live in index.html (written by the build), not in the hashed bundle, so one
// bundle serves every environment and a new release id never renames an immutable asset.

export interface Settings {
  /** The release this page belongs to. */
  releaseId: string;
  /** Where the API lives, e.g. "/api"; always the site root, whatever prefix serves the page. */
  apiBase: string;
}

export const RELEASE_META = "shipline-release";
export const API_BASE_META = "shipline-api-base";

export function readSettings(doc: Document): Settings {
  return {
    releaseId: readMeta(doc, RELEASE_META) ?? "dev",
    apiBase: (readMeta(doc, API_BASE_META) ?? "/api").replace(/\/+$/, ""),
  };
}

function readMeta(doc: Document, name: string): string | undefined {
  const content = doc.querySelector(`meta[name="${name}"]`)?.getAttribute("content");
  return content === null || content === undefined || content === "" ? undefined : content;
}
