import { randomBytes } from "node:crypto";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CannotPullContainerError } from "./errors";
import {
  downloadBlob,
  fetchJsonBlob,
  type ImageLocation,
  imageRef,
  resolveManifest,
} from "./registry-client";
import { applyLayer, isSupportedLayer } from "./unpack";

/** The part of an OCI image config the runtime uses. */
export interface ImageConfig {
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

export interface PulledImage {
  /** host/repo:tag or host/repo@digest, as asked. */
  imageRef: string;
  /** The linux/amd64 manifest's digest: the image's identity and cache key. */
  digest: string;
  /** The unpacked root filesystem: shared by every container of this image, never written. */
  rootfs: string;
  config: ImageConfig;
}

const inFlight = new Map<string, Promise<PulledImage>>();

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function hexOf(digest: string): string {
  const hex = digest.split(":")[1];
  if (!hex || !/^[0-9a-f]{64}$/.test(hex)) throw new Error(`unsupported digest ${digest}`);
  return hex;
}

/**
 * Pulls an image (by tag or digest) from an OCI Distribution registry and unpacks it under
 * `<stateDir>/images/<digest>`, once per manifest digest. A missing repository, tag or digest
 * throws CannotPullContainerError, worded as ECS words it.
 */
export async function pullImage(stateDir: string, location: ImageLocation): Promise<PulledImage> {
  const { digest, manifest } = await resolveManifest(location);
  const ref = imageRef(location);
  const key = `${stateDir}\n${digest}`;
  let pulling = inFlight.get(key);
  if (!pulling) {
    pulling = unpackOnce(stateDir, location, digest, manifest, ref).finally(() =>
      inFlight.delete(key),
    );
    inFlight.set(key, pulling);
  }
  return { ...(await pulling), imageRef: ref };
}

async function unpackOnce(
  stateDir: string,
  location: ImageLocation,
  digest: string,
  manifest: Awaited<ReturnType<typeof resolveManifest>>["manifest"],
  ref: string,
): Promise<PulledImage> {
  const imageDir = join(stateDir, "images", hexOf(digest));
  const configFile = join(imageDir, "config.json");
  if (await exists(configFile)) {
    const config = JSON.parse(await readFile(configFile, "utf8")) as ImageConfig;
    return { imageRef: ref, digest, rootfs: join(imageDir, "rootfs"), config };
  }
  for (const layer of manifest.layers) {
    if (!isSupportedLayer(layer.mediaType)) {
      throw CannotPullContainerError.manifest(
        "invalid",
        ref,
        `unsupported layer media type ${layer.mediaType}`,
      );
    }
  }
  const imageConfig = await fetchJsonBlob<{ config?: ImageConfig }>(
    location,
    manifest.config.digest,
  );
  const blobs = join(stateDir, "blobs", "sha256");
  await Promise.all(
    manifest.layers.map((layer) =>
      downloadBlob(location, layer.digest, join(blobs, hexOf(layer.digest))),
    ),
  );
  // Unpack aside and rename, so a crash never leaves a half image that looks complete.
  const staging = `${imageDir}.unpacking-${randomBytes(4).toString("hex")}`;
  try {
    await mkdir(join(staging, "rootfs"), { recursive: true, mode: 0o755 });
    for (const layer of manifest.layers) {
      await applyLayer(join(staging, "rootfs"), join(blobs, hexOf(layer.digest)), layer.mediaType);
    }
    const config = imageConfig.config ?? {};
    await writeFile(join(staging, "config.json"), JSON.stringify(config));
    await rename(staging, imageDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process unpacked the same image first: use theirs.
      if (!(await exists(configFile))) throw error;
    });
    return { imageRef: ref, digest, rootfs: join(imageDir, "rootfs"), config };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
