import { sha256Digest } from "./digest";
import type { ContainerConfig, ImageConfig } from "./types";

/** What a build changes in the base image's configuration. Undefined means "keep the base's". */
export interface ConfigChanges {
  /** The appended layers, bottom first: diff_id and what the history entry says produced it. */
  layers: { diffId: string; createdBy: string }[];
  /** RFC 3339 time for `created` and the history entries: SOURCE_DATE_EPOCH, not the clock. */
  created: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Merged into the base's Env by key; later keys replace earlier ones, new keys are appended. */
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  /** "3000" or "3000/tcp" or "53/udp"; merged with the base's. */
  exposedPorts?: string[];
  /** Merged with the base's labels. */
  labels?: Record<string, string>;
}

/** The OCI annotation keys shipline writes as labels (config) and annotations (manifest). */
export const OciLabel = {
  source: "org.opencontainers.image.source",
  revision: "org.opencontainers.image.revision",
  created: "org.opencontainers.image.created",
  baseName: "org.opencontainers.image.base.name",
  baseDigest: "org.opencontainers.image.base.digest",
} as const;

/** SOURCE_DATE_EPOCH seconds → the RFC 3339 string used everywhere in the image. */
export function epochToRfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

function mergeEnv(base: string[] | undefined, changes: Record<string, string>): string[] {
  const result = [...(base ?? [])];
  for (const [key, value] of Object.entries(changes)) {
    const index = result.findIndex((entry) => entry.split("=", 1)[0] === key);
    if (index >= 0) result[index] = `${key}=${value}`;
    else result.push(`${key}=${value}`);
  }
  return result;
}

function normalisePort(port: string): string {
  return port.includes("/") ? port : `${port}/tcp`;
}

/**
 * Returns the base configuration with the new layers appended and the requested settings applied.
 * Every field shipline does not manage is passed through untouched. As in a Dockerfile, setting
 * an entrypoint without a command drops the base's command (it belonged to the old entrypoint).
 */
export function updateConfig(base: ImageConfig, changes: ConfigChanges): ImageConfig {
  const container: ContainerConfig = { ...(base.config ?? {}) };
  if (changes.entrypoint !== undefined) {
    container.Entrypoint = changes.entrypoint;
    if (changes.cmd === undefined) container.Cmd = null;
  }
  if (changes.cmd !== undefined) container.Cmd = changes.cmd;
  if (changes.env && Object.keys(changes.env).length > 0) {
    container.Env = mergeEnv(container.Env, changes.env);
  }
  if (changes.workdir !== undefined) container.WorkingDir = changes.workdir;
  if (changes.user !== undefined) container.User = changes.user;
  if (changes.exposedPorts && changes.exposedPorts.length > 0) {
    const ports: Record<string, object> = { ...(container.ExposedPorts ?? {}) };
    for (const port of changes.exposedPorts) ports[normalisePort(port)] = {};
    container.ExposedPorts = ports;
  }
  if (changes.labels && Object.keys(changes.labels).length > 0) {
    container.Labels = { ...(container.Labels ?? {}), ...changes.labels };
  }
  return {
    ...base,
    created: changes.created,
    config: container,
    rootfs: {
      type: "layers",
      diff_ids: [...base.rootfs.diff_ids, ...changes.layers.map((layer) => layer.diffId)],
    },
    history: [
      ...(base.history ?? []),
      ...changes.layers.map((layer) => ({ created: changes.created, created_by: layer.createdBy })),
    ],
  };
}

/** The config's bytes as pushed: compact JSON in field order, so equal configs hash equally. */
export function serializeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function describeJson(value: unknown): { bytes: Buffer; digest: string; size: number } {
  const bytes = serializeJson(value);
  return { bytes, digest: sha256Digest(bytes), size: bytes.length };
}
