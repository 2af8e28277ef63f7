import { ConfigurationError, quote } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";

/**
 * The sample app's two images as flag defaults, relative to the repository root. Flags given on
 * the command line override them; the base image is always the caller's choice (pin it).
 */
export const PRESETS: Record<string, RawInputs> = {
  /** app-api's esbuild bundle (`npx tsx app-api/scripts/build.ts`) at /app on a node base. */
  api: {
    context: "app-api/dist",
    destination: "/app",
    workdir: "/app",
    cmd: '["node", "/app/server.mjs"]',
    user: "1000",
    ports: "3000",
    env: "NODE_ENV=production\nHOST=0.0.0.0\nPORT=3000",
  },
  /** The proxy's config template, rendered by the nginx base at start, on an nginx base. */
  nginx: {
    context: "nginx/templates",
    destination: "/etc/nginx/templates",
    user: "101",
    ports: "8080",
  },
};

export function presetInputs(name: string | undefined): RawInputs {
  if (name === undefined) return {};
  const preset = PRESETS[name];
  if (!preset) {
    throw new ConfigurationError(
      `preset ${quote(name)} is not known (expected one of ${Object.keys(PRESETS).join(", ")})`,
    );
  }
  return preset;
}
