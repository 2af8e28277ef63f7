import { isIndex, parseManifest } from "../oci/manifest";
import { IMAGE_MANIFEST_TYPES } from "../oci/media-types";
import type { ImageConfig } from "../oci/types";
import type { PreviousImage } from "./plan";
import type { PushTarget } from "./target";

/** An image read from the registry, with its manifest's media type. */
export type StoredImage = PreviousImage & { mediaType: string };

/** The image under a tag or digest of a repository of the target registry, if there is one. */
export async function readImage(
  target: PushTarget,
  repository: string,
  reference: string,
  label = reference,
): Promise<StoredImage | undefined> {
  const raw = await target.client.getManifest(repository, reference);
  if (!raw) return undefined;
  const manifest = parseManifest(raw);
  if (isIndex(manifest) || !IMAGE_MANIFEST_TYPES.includes(raw.mediaType)) {
    return { tag: label, digest: raw.digest, diffIds: [], layers: [], mediaType: raw.mediaType };
  }
  const config = JSON.parse(
    (await target.client.getBlob(repository, manifest.config.digest)).toString("utf8"),
  ) as ImageConfig;
  return {
    tag: label,
    digest: raw.digest,
    diffIds: config.rootfs?.diff_ids ?? [],
    layers: manifest.layers,
    mediaType: raw.mediaType,
  };
}

/** The images already under the tags we push to (and the previous tag): candidates for reuse. */
export async function readPreviousImages(
  target: PushTarget,
  tags: string[],
): Promise<Map<string, PreviousImage>> {
  const found = await Promise.all(tags.map((tag) => readImage(target, target.repository, tag)));
  return new Map(found.filter((image) => image !== undefined).map((image) => [image.tag, image]));
}
