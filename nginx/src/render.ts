import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { templateDefaults } from "./defaults";

export type TemplateEnv = Readonly<Record<string, string | undefined>>;

const packageDir = fileURLToPath(new URL("..", import.meta.url));
export const mainConfigFile = join(packageDir, "nginx.conf");
export const defaultTemplateFile = join(packageDir, "templates", "default.conf.template");
const templateSuffix = ".template";

// `$NAME` or `${NAME}`, the two forms envsubst replaces.
const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Substitutes like the nginx image's entrypoint, which runs `envsubst` with the list
 * of defined environment variables: a reference to a defined variable (even an
 * empty one) is replaced, every other `$name` (nginx's own variables, unknown
 * names) is left exactly as written.
 */
export function renderTemplate(template: string, env: TemplateEnv): string {
  return template.replace(reference, (whole, braced?: string, bare?: string) => {
    const value = env[braced ?? bare ?? ""];
    return value === undefined ? whole : value;
  });
}

/** The defaults, overridden by every variable `env` defines. */
export function withDefaults(env: TemplateEnv): Record<string, string> {
  const merged: Record<string, string> = { ...templateDefaults };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}

/**
 * The image keeps its pid file and temporary files in /tmp. A local run gets them
 * under its own folder instead, so several nginx processes can run side by side.
 */
export function relocateRuntimePaths(mainConfig: string, runDir: string): string {
  return mainConfig.replace(/^(\s*(?:pid|\w+_temp_path)\s+)\/tmp\//gm, `$1${runDir}/`);
}

export interface RenderOptions {
  env: TemplateEnv;
  outDir: string;
  /** Templates rendered into conf.d/, like /etc/nginx/templates in the image. */
  templates?: readonly string[];
  /** nginx's own MIME table, shipped with the nginx package. */
  mimeTypesFile?: string;
}

export interface RenderedConfig {
  /** Pass as `nginx -p <prefix>`. */
  prefix: string;
  /** Pass as `nginx -c <configFile>`. */
  configFile: string;
  /** Where the pid file and temporary files go. */
  runDir: string;
}

/** Writes a complete config tree that `nginx -p prefix -c configFile` runs as is. */
export async function renderNginxConfig(options: RenderOptions): Promise<RenderedConfig> {
  const prefix = resolve(options.outDir);
  const runDir = join(prefix, "run");
  const confD = join(prefix, "conf.d");
  // World-searchable: when started as root, nginx's workers run as an unprivileged
  // user and must reach the temporary folders it creates for them under runDir.
  await mkdir(confD, { recursive: true, mode: 0o755 });
  await mkdir(runDir, { recursive: true, mode: 0o755 });

  const env = withDefaults(options.env);
  for (const template of options.templates ?? [defaultTemplateFile]) {
    const name = basename(template, templateSuffix);
    await writeFile(join(confD, name), renderTemplate(await readFile(template, "utf8"), env));
  }
  await copyFile(options.mimeTypesFile ?? "/etc/nginx/mime.types", join(prefix, "mime.types"));

  const configFile = join(prefix, "nginx.conf");
  await writeFile(configFile, relocateRuntimePaths(await readFile(mainConfigFile, "utf8"), runDir));
  return { prefix, configFile, runDir };
}
