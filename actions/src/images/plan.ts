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
 * The layer pushed before, when the previous image has exactly the diff_ids the new image will
 * have (same base, same layer content): its compressed blob can be reused as is, so nothing is
 * compressed or uploaded. Comparing every diff_id (not only the last) catches a changed base.
 */
export function findReusableLayer(
  previous: PreviousImage[],
  diffIds: string[],
): { tag: string; layer: Descriptor } | undefined {
  for (const image of previous) {
    const layer = image.layers.at(-1);
    if (
      layer &&
      image.diffIds.length === diffIds.length &&
      image.diffIds.every((id, i) => id === diffIds[i])
    ) {
      return { tag: image.tag, layer };
    }
  }
  return undefined;
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
