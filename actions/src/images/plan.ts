import { ConfigurationError } from "../lib/errors";
import type { Descriptor } from "../oci/types";

/** An image already in the target repository under one of the tags we look at. */
export interface PreviousImage {
  tag: string;
  digest: string;
  diffIds: string[];
  layers: Descriptor[];
}

/**
 * For each new layer, the compressed blob pushed before for the same diff_id (the same content),
 * when a previous image has one of the media type the new image uses: it is reused as is, so
 * that layer is neither compressed nor uploaded again. Each layer is looked up on its own, so an
 * unchanged layer is reused even when the layer above it (or the base) changed. The first image
 * that has it wins (the tags pushed to, then the previous tag).
 */
export function findReusableLayers(
  previous: PreviousImage[],
  diffIds: string[],
  mediaType: string,
): ({ tag: string; layer: Descriptor } | undefined)[] {
  return diffIds.map((diffId) => {
    for (const image of previous) {
      // Without one descriptor per diff_id, positions cannot be matched: do not guess.
      if (image.diffIds.length !== image.layers.length) continue;
      const index = image.diffIds.indexOf(diffId);
      const layer = index >= 0 ? image.layers[index] : undefined;
      if (layer && layer.mediaType === mediaType) return { tag: image.tag, layer };
    }
    return undefined;
  });
}

export type BlobRole = "base layer" | "layer" | "config";

export interface BlobToPush {
  role: BlobRole;
  descriptor: Descriptor;
  /** Repositories of the same registry that may hold it (tried in order). */
  mountFrom: string[];
}

export type BlobAction = "skip" | "mount" | "upload";

export interface PlannedBlob extends BlobToPush {
  action: BlobAction;
}

export interface PlannedTag {
  tag: string;
  /** What the tag points at now, if anything. */
  current?: string;
  action: "put" | "unchanged";
}

export interface PushPlan {
  repository: string;
  manifestDigest: string;
  blobs: PlannedBlob[];
  tags: PlannedTag[];
}

export interface PushPlanInput {
  repository: string;
  blobs: BlobToPush[];
  /** Digests the target repository already has (from HEAD). */
  present: ReadonlySet<string>;
  manifestDigest: string;
  tags: { tag: string; current?: string }[];
  immutable: boolean;
}

/**
 * Decides what to send: blobs the repository has are skipped; missing ones are mounted when a
 * sibling repository may have them, uploaded otherwise; the manifest is put only under tags that
 * do not already point at it. A tag of an immutable repository that points elsewhere stops the
 * push before anything is sent, naming both digests.
 */
export function planPush(input: PushPlanInput): PushPlan {
  const conflicts = input.immutable
    ? input.tags.filter((tag) => tag.current !== undefined && tag.current !== input.manifestDigest)
    : [];
  if (conflicts.length > 0) {
    throw new ConfigurationError(
      conflicts
        .map(
          (tag) =>
            `tag ${JSON.stringify(tag.tag)} of immutable repository ${input.repository} already points at ${tag.current}; this build is ${input.manifestDigest}`,
        )
        .join("\n"),
    );
  }
  const seen = new Set<string>();
  const blobs: PlannedBlob[] = [];
  for (const blob of input.blobs) {
    // Base images may repeat a layer; one transfer is enough.
    if (seen.has(blob.descriptor.digest)) continue;
    seen.add(blob.descriptor.digest);
    const action: BlobAction = input.present.has(blob.descriptor.digest)
      ? "skip"
      : blob.mountFrom.length > 0
        ? "mount"
        : "upload";
    blobs.push({ ...blob, action });
  }
  const tags: PlannedTag[] = input.tags.map((tag) => ({
    ...tag,
    action: tag.current === input.manifestDigest ? "unchanged" : "put",
  }));
  return { repository: input.repository, manifestDigest: input.manifestDigest, blobs, tags };
}
