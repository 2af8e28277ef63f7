import type { Logger } from "../lib/logger";
import { RegistryError } from "../oci/registry";
import type { RawManifest } from "../oci/types";
import type { PlannedBlob, PushPlan } from "./plan";
import type { BlobOutcome, TagOutcome } from "./report";
import type { PushTarget } from "./target";

/** Produces a blob's bytes, only when it has to be uploaded (base layers are fetched lazily). */
export type BlobReader = (blob: PlannedBlob) => Promise<Buffer>;

/** An upload opened ahead of time for a blob (its Location), if any. */
export type OpenedUploads = (digest: string) => Promise<string | undefined> | undefined;

const CONCURRENCY = 4;

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function transfer(
  blob: PlannedBlob,
  target: PushTarget,
  read: BlobReader,
  logger: Logger,
  opened: OpenedUploads,
): Promise<BlobOutcome> {
  const { digest, size } = blob.descriptor;
  const outcome = (
    kind: BlobOutcome["outcome"],
    extra: Partial<BlobOutcome> = {},
  ): BlobOutcome => ({
    role: blob.role,
    digest,
    size,
    outcome: kind,
    bytesUploaded: 0,
    ...extra,
  });
  if (blob.action === "skip") return outcome("skipped");
  if (blob.action === "mount") {
    for (const from of blob.mountFrom) {
      try {
        if (await target.client.mountBlob(target.repository, digest, from))
          return outcome("mounted", { from });
      } catch (error) {
        // A refused mount is only a missed shortcut: fall through to the upload.
        if (!(error instanceof RegistryError)) throw error;
        logger.debug(`mount of ${digest} from ${from} failed: ${error.message}`);
      }
    }
  }
  const data = await read(blob);
  // An upload opened while the blob was compressed saves a round trip; if it failed, open another.
  const location = await opened(digest)?.catch(() => undefined);
  if (location) await target.client.finishUpload(target.repository, location, digest, data);
  else await target.client.uploadBlob(target.repository, digest, data);
  return outcome("uploaded", { bytesUploaded: data.length });
}

/**
 * Carries out a push plan: blobs first (a few at a time), the manifest last, so a tag never points
 * at an image whose blobs are not all there.
 */
export async function applyPush(
  plan: PushPlan,
  manifest: RawManifest,
  target: PushTarget,
  read: BlobReader,
  logger: Logger,
  opened: OpenedUploads = () => undefined,
): Promise<{ blobs: BlobOutcome[]; tags: TagOutcome[] }> {
  const blobs = await mapLimited(plan.blobs, CONCURRENCY, (blob) =>
    transfer(blob, target, read, logger, opened),
  );
  const tags: TagOutcome[] = [];
  for (const tag of plan.tags) {
    if (tag.action === "unchanged") {
      tags.push({ tag: tag.tag, outcome: "unchanged" });
      continue;
    }
    await target.client.putManifest(target.repository, tag.tag, manifest);
    tags.push({ tag: tag.tag, outcome: "pushed" });
  }
  return { blobs, tags };
}

/** The outcomes a dry run would have, for the same report. */
export function describePlan(plan: PushPlan): { blobs: BlobOutcome[]; tags: TagOutcome[] } {
  return {
    blobs: plan.blobs.map((blob) => ({
      role: blob.role,
      digest: blob.descriptor.digest,
      size: blob.descriptor.size,
      outcome:
        blob.action === "skip"
          ? "skipped"
          : blob.action === "mount"
            ? "would mount"
            : "would upload",
      bytesUploaded: 0,
    })),
    tags: plan.tags.map((tag) => ({
      tag: tag.tag,
      outcome: tag.action === "put" ? "would push" : "unchanged",
    })),
  };
}
