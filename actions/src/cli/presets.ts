import { ConfigurationError, quote } from "../lib/errors";
import type { RawInputs } from "../lib/inputs";

/**
 * The sample app's two images as flag defaults, relative to the repository root. Flags given on
 * the command line override them; the base image is always the caller's choice (pin it).
 */
export const PRESETS: Record<string, RawInputs> = {
  /**
   * app-api's esbuild bundle (`npx tsx app-api/scripts/build.ts`) at /app on a node base, in two
   * layers: PGlite's runtime assets (~15 MB, they change only with PGlite's version), then the
   * code (server.mjs, migrate.mjs, migrations), so a code change uploads only the small layer.
   */
  api: {
    context: "app-api/dist",
    destination: "/app",
    layers: "*.wasm *.data",
    workdir: "/app",
    cmd: '["node", "/app/server.mjs"]',
    user: "1000",
    ports: "3000",
    env: "NODE_ENV=production\nHOST=0.0.0.0\nPORT=3000",
  },
  /**
   * The proxy's config template, rendered by the nginx base at start, on an nginx base. The
   * entrypoint substitutes only defined variables, so the template's defaults (nginx/Dockerfile's
   * ENV, nginx/src/defaults.ts) must be in the image for it to render without a task override.
   */
  nginx: {
    context: "nginx/templates",
    destination: "/etc/nginx/templates",
    user: "101",
    ports: "8080",
    env: [
      "NGINX_LISTEN_ADDRESS=0.0.0.0",
      "NGINX_PORT=8080",
      "API_UPSTREAM=127.0.0.1:3000",
      "REAL_IP_FROM=10.0.0.0/8",
      "CLIENT_MAX_BODY_SIZE=1m",
      "PROXY_CONNECT_TIMEOUT=5s",
      "PROXY_SEND_TIMEOUT=60s",
      "PROXY_READ_TIMEOUT=60s",
    ].join("\n"),
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
