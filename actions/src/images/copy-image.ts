import type { ECRClient } from "@aws-sdk/client-ecr";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { isIndex, parseManifest } from "../oci/manifest";
import { parseImageReference } from "../oci/reference";
import { RegistryError } from "../oci/registry";
import type { Descriptor } from "../oci/types";
import { openTarget, type PushTarget } from "./target";

/** An image by digest: where it is and what it is. */
export interface ImageByDigest {
  repository: string;
  digest: string;
  /** registry/repository@sha256:… */
  uri: string;
}

/** How each blob reached the target repository; `uploaded` is what costs bytes. */
export interface CopyCounts {
  present: number;
  mounted: number;
  uploaded: number;
  bytesUploaded: number;
}

export interface CopiedImage extends ImageByDigest {
  blobs: CopyCounts;
  /** The manifest was in the target repository already: nothing was written. */
  alreadyThere: boolean;
}

/**
 * Copies an image by digest into another repository of the same registry, never rebuilding it:
 * each blob the target has already is skipped (HEAD), the others are mounted from the source
 * repository (no bytes move) and only uploaded when the registry declines the mount; then the
 * manifest is stored under its digest, so the copy has exactly the source's digest. An image
 * index is copied with every image it lists.
 */
export async function copyImageByDigest(
  source: ImageByDigest,
  targetRepository: string,
  deps: { ecr: () => ECRClient; logger: Logger; fetch?: typeof fetch },
): Promise<CopiedImage> {
  const target = await openTarget({ repository: targetRepository }, deps);
  const sourceHost = parseImageReference(source.uri).registry;
  if (sourceHost !== target.host) {
    throw new ConfigurationError(
      `image ${quote(source.uri)} is in registry ${quote(sourceHost)}, not in ${quote(target.host)} where ${quote(targetRepository)} is: promotion copies images within one registry`,
    );
  }
  const counts: CopyCounts = { present: 0, mounted: 0, uploaded: 0, bytesUploaded: 0 };
  const existing = await target.client.getManifest(targetRepository, source.digest);
  if (!existing) {
    await copyManifest(target, source.repository, source.digest, counts);
    deps.logger.info(
      `${source.repository}@${source.digest} → ${targetRepository}: ${counts.present} blob(s) present, ${counts.mounted} mounted, ${counts.uploaded} uploaded`,
    );
  }
  return {
    repository: targetRepository,
    digest: source.digest,
    uri: `${target.host}/${targetRepository}@${source.digest}`,
    blobs: counts,
    alreadyThere: existing !== undefined,
  };
}

async function copyManifest(
  target: PushTarget,
  from: string,
  digest: string,
  counts: CopyCounts,
): Promise<void> {
  const raw = await target.client.getManifest(from, digest);
  if (!raw) {
    throw new ConfigurationError(`image ${digest} is not in repository ${quote(from)}`);
  }
  const manifest = parseManifest(raw);
  if (isIndex(manifest)) {
    for (const child of manifest.manifests) await copyManifest(target, from, child.digest, counts);
  } else {
    for (const blob of [manifest.config, ...manifest.layers]) {
      await copyBlob(target, from, blob, counts);
    }
  }
  await target.client.putManifest(target.repository, digest, raw);
}

async function copyBlob(
  target: PushTarget,
  from: string,
  blob: Descriptor,
  counts: CopyCounts,
): Promise<void> {
  const { client, repository } = target;
  if ((await client.headBlob(repository, blob.digest)) !== undefined) {
    counts.present += 1;
    return;
  }
  try {
    if (await client.mountBlob(repository, blob.digest, from)) {
      counts.mounted += 1;
      return;
    }
  } catch (error) {
    // A refused mount is only a missed shortcut: the blob is uploaded instead.
    if (!(error instanceof RegistryError)) throw error;
  }
  const bytes = await client.getBlob(from, blob.digest);
  await client.uploadBlob(repository, blob.digest, bytes);
  counts.uploaded += 1;
  counts.bytesUploaded += bytes.length;
}
