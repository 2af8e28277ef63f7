import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** The annotation skopeo's `oci:<dir>:<tag>` reference looks up in index.json. */
export const REF_NAME = "org.opencontainers.image.ref.name";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(":");
  if (algorithm !== "sha256" || !hex) throw new Error(`unsupported digest ${digest}`);
  return join(layoutDir, "blobs", "sha256", hex);
}

export async function initLayout(layoutDir: string): Promise<void> {
  await mkdir(join(layoutDir, "blobs", "sha256"), { recursive: true });
  await writeFile(
    join(layoutDir, "oci-layout"),
    `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`,
  );
}

/** Writes a JSON blob and returns its descriptor; the bytes written are the bytes hashed. */
export async function writeJsonBlob(
  layoutDir: string,
  mediaType: string,
  value: unknown,
): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256(bytes);
  await writeFile(blobPath(layoutDir, digest), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Moves an already written file into the layout under its digest. */
export async function adoptBlob(layoutDir: string, file: string, digest: string): Promise<void> {
  await rename(file, blobPath(layoutDir, digest));
}

export async function writeIndex(layoutDir: string, manifests: Descriptor[]): Promise<void> {
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  await writeFile(join(layoutDir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
}

export async function readIndex(layoutDir: string): Promise<{ manifests: Descriptor[] }> {
  return JSON.parse(await readFile(join(layoutDir, "index.json"), "utf8"));
}
