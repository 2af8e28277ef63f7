import { CannotStartContainerError } from "./errors";
import type { ImageConfig } from "./pull";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * The process arguments as docker (and so ECS) builds them: the task definition's entryPoint
 * replaces the image's ENTRYPOINT and then also drops the image's CMD; its command replaces CMD.
 */
export function processArgs(
  image: ImageConfig,
  entryPoint: string[] | undefined,
  command: string[] | undefined,
): string[] {
  const entry = entryPoint ?? image.Entrypoint ?? [];
  const cmd = command ?? (entryPoint ? [] : (image.Cmd ?? []));
  const args = [...entry, ...cmd];
  if (args.length === 0) throw new CannotStartContainerError("no command specified");
  return args;
}

/** The image's environment, overridden by the container's, with PATH, HOSTNAME and HOME set. */
export function processEnv(
  image: ImageConfig,
  environment: Record<string, string> | undefined,
  defaults: { hostname: string; home: string },
): string[] {
  const env = new Map<string, string>();
  for (const pair of image.Env ?? []) {
    const at = pair.indexOf("=");
    if (at > 0) env.set(pair.slice(0, at), pair.slice(at + 1));
  }
  for (const [key, value] of Object.entries(environment ?? {})) env.set(key, value);
  if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
  if (!env.has("HOSTNAME")) env.set("HOSTNAME", defaults.hostname);
  if (!env.has("HOME")) env.set("HOME", defaults.home);
  return [...env.entries()].map(([key, value]) => `${key}=${value}`);
}
