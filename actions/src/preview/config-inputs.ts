import { environmentRawInputs } from "../config/resolve";
import type { RawInputs } from "../lib/inputs";

/** What a preview takes from the environment's settings: where the site is and how it is served. */
const FROM_ENVIRONMENT = [
  "region",
  "ledger-prefix",
  "bucket",
  "distribution-id",
  "immutable",
  "cache-control",
  "content-type",
  "web-mode",
  "key-value-store",
  "edge-function",
  "preview-domain",
  // A preview's own API (preview.api): production's service is its template.
  "api",
  "api-environment",
  "cluster",
  "service",
  "containers",
  "gate-timeout",
  "gate-interval",
  "healthy-polls",
  "grace-period",
] as const;

/**
 * The configuration file's environment (SHIPLINE_CONFIG and SHIPLINE_ENVIRONMENT, else
 * shipline.yml's production), as a preview's lowest layer of inputs: a preview is a release of
 * that environment's site. Nothing when there is no file.
 */
export async function previewEnvironmentInputs(env: NodeJS.ProcessEnv): Promise<RawInputs> {
  const raw = await environmentRawInputs({}, env);
  if (!raw.config) return {};
  const picked: RawInputs = {};
  for (const name of FROM_ENVIRONMENT) {
    if (raw[name] !== undefined) picked[name] = raw[name];
  }
  // A preview under a path must never be served by the site's own distributions (it would be
  // same-origin with the site): only host previews, on hosts of their own, take them.
  if (picked["web-mode"]?.trim() !== "atomic") delete picked["distribution-id"];
  return picked;
}
