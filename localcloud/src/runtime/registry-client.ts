import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CannotPullContainerError } from "./errors";

export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

export interface RegistryAuth {
  username: string;
  password: string;
}

/** Where an image is: `registryUrl` is http(s)://host:port; `reference` a tag or a digest. */
export interface ImageLocation {
  registryUrl: string;
  repository: string;
  reference: string;
  auth?: RegistryAuth;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ImageManifest {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** How ECS (and docker) print an image: host/repo:tag or host/repo@digest. */
export function imageRef(location: ImageLocation): string {
  const host = new URL(location.registryUrl).host;
  const separator = location.reference.includes(":") ? "@" : ":";
  return `${host}/${location.repository}${separator}${location.reference}`;
}

function headers(location: ImageLocation, accept?: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (accept) result.accept = accept;
  if (location.auth) {
    const token = Buffer.from(`${location.auth.username}:${location.auth.password}`);
    result.authorization = `Basic ${token.toString("base64")}`;
  }
  return result;
}

async function request(location: ImageLocation, path: string, accept?: string): Promise<Response> {
  const url = new URL(`/v2/${location.repository}/${path}`, location.registryUrl);
  try {
    return await fetch(url, { headers: headers(location, accept) });
  } catch (error) {
    throw CannotPullContainerError.manifest(
      "unreachable",
      imageRef(location),
      `failed to do request: Head "${url}": ${(error as Error).message}`,
    );
  }
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** GETs one manifest (or index) and checks it against its digest when asked by digest. */
async function getManifest(
  location: ImageLocation,
  reference: string,
): Promise<{ digest: string; mediaType: string; body: Record<string, unknown> }> {
  const ref = imageRef(location);
  const response = await request(
    location,
    `manifests/${reference}`,
    Object.values(MEDIA_TYPES).join(", "),
  );
  if (response.status === 404) {
    await response.body?.cancel();
    throw CannotPullContainerError.manifest("not-found", ref, `${ref}: not found`);
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw CannotPullContainerError.manifest(
      "unauthorized",
      ref,
      `pulling from host ${new URL(location.registryUrl).host} failed with status code ${response.status}: ${response.statusText}`,
    );
  }
  if (!response.ok) {
    const text = await response.text();
    throw CannotPullContainerError.manifest(
      "unreachable",
      ref,
      `unexpected status ${response.status} from the registry: ${text.slice(0, 200)}`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = sha256(bytes);
  if (reference.startsWith("sha256:") && digest !== reference) {
    throw CannotPullContainerError.manifest(
      "invalid",
      ref,
      `manifest digest ${digest} does not match`,
    );
  }
  const body = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
  const mediaType =
    (body.mediaType as string | undefined) ??
    response.headers.get("content-type")?.split(";")[0] ??
    MEDIA_TYPES.ociManifest;
  return { digest, mediaType, body };
}

/**
 * Resolves a tag or digest to the linux/amd64 image manifest, following an image index (OCI) or a
 * manifest list (Docker). Returns the platform manifest's digest: the image's identity.
 */
export async function resolveManifest(
  location: ImageLocation,
): Promise<{ digest: string; manifest: ImageManifest }> {
  const top = await getManifest(location, location.reference);
  if (top.mediaType === MEDIA_TYPES.ociIndex || top.mediaType === MEDIA_TYPES.dockerList) {
    const entries = (top.body.manifests ?? []) as Descriptor[];
    const match = entries.find(
      (entry) => entry.platform?.os === "linux" && entry.platform.architecture === "amd64",
    );
    if (!match) {
      throw CannotPullContainerError.manifest(
        "not-found",
        imageRef(location),
        "no matching manifest for linux/amd64 in the manifest list entries",
      );
    }
    const platform = await getManifest(location, match.digest);
    return { digest: platform.digest, manifest: platform.body as unknown as ImageManifest };
  }
  if (top.mediaType !== MEDIA_TYPES.ociManifest && top.mediaType !== MEDIA_TYPES.dockerManifest) {
    throw CannotPullContainerError.manifest(
      "invalid",
      imageRef(location),
      `unsupported manifest media type ${top.mediaType}`,
    );
  }
  return { digest: top.digest, manifest: top.body as unknown as ImageManifest };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Downloads a blob to `file` (once), verifying its digest while it streams. */
export async function downloadBlob(
  location: ImageLocation,
  digest: string,
  file: string,
): Promise<void> {
  if (await exists(file)) return;
  const response = await request(location, `blobs/${digest}`);
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw CannotPullContainerError.manifest(
      response.status === 404 ? "not-found" : "unreachable",
      imageRef(location),
      `failed to fetch blob ${digest}: status ${response.status}`,
    );
  }
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}-${Math.random().toString(16).slice(2)}`;
  const hash = createHash("sha256");
  try {
    await pipeline(
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(partial),
    );
    const actual = `sha256:${hash.digest("hex")}`;
    if (actual !== digest) {
      throw CannotPullContainerError.manifest(
        "invalid",
        imageRef(location),
        `blob ${digest} has digest ${actual}`,
      );
    }
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

export async function fetchJsonBlob<T>(location: ImageLocation, digest: string): Promise<T> {
  const response = await request(location, `blobs/${digest}`);
  if (!response.ok) {
    await response.body?.cancel();
    throw CannotPullContainerError.manifest(
      "not-found",
      imageRef(location),
      `failed to fetch config ${digest}: status ${response.status}`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (sha256(bytes) !== digest) {
    throw CannotPullContainerError.manifest(
      "invalid",
      imageRef(location),
      `config ${digest} does not match`,
    );
  }
  return JSON.parse(Buffer.from(bytes).toString("utf8")) as T;
}
