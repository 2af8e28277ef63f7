import { CopyObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "../lib/logger";
import { mapLimited } from "./concurrency";
import { type SiteLocation, type WriteCondition, writeSiteManifest } from "./ledger";
import type { FileRole, SiteManifest } from "./manifest";
import type { PlannedFile, PublishPlan } from "./plan";
import { copySource, type TransferSettings, transferFile } from "./transfer";

export interface ApplySettings extends TransferSettings {
  concurrency: number;
}

export interface ApplyResult {
  /** Bytes actually sent (copies send none). */
  bytesSent: number;
  /** The written manifest's ETag; undefined when nothing changed. */
  manifestEtag?: string;
  manifestWritten: boolean;
  /** The manifest as written: the plan's, with the ETags the writes returned. */
  manifest?: SiteManifest;
}

const GROUPS: { role: FileRole; label: string }[] = [
  { role: "immutable", label: "immutable assets" },
  { role: "other", label: "other files" },
  { role: "entry", label: "entry points" },
];

/**
 * Puts a plan's files into the bucket in groups, each finished before the next starts: immutable
 * assets, other files, then the entry points that reference them, so no viewer ever gets a page
 * whose assets are not there yet. The manifest goes last: until it is written, the previous
 * release is the one of record, and a failed run is simply redone by the next.
 */
export async function applyUploads(
  s3: S3Client,
  plan: PublishPlan,
  site: SiteLocation,
  settings: ApplySettings,
  logger: Logger,
  condition?: WriteCondition,
): Promise<ApplyResult> {
  let bytesSent = 0;
  const etags = new Map<string, string>();
  for (const group of GROUPS) {
    const files = plan.files.filter((file) => file.role === group.role && file.action !== "skip");
    if (files.length === 0) continue;
    logger.info(`sending ${files.length} ${group.label}`);
    const sent = await mapLimited(files, settings.concurrency, async (file: PlannedFile) => {
      const transferred = await transferFile(s3, file, settings);
      if (transferred.etag) etags.set(file.key, transferred.etag);
      return transferred.bytes;
    });
    bytesSent += sent.reduce((total, bytes) => total + bytes, 0);
  }
  if (!plan.manifest) return { bytesSent, manifestWritten: false };
  const manifest = withEtags(plan.manifest, etags);
  // Server-side copies, no bytes sent: the entry points as they are now, for a later rollback.
  await mapLimited(plan.snapshots, settings.concurrency, (snapshot) =>
    s3.send(
      new CopyObjectCommand({
        Bucket: settings.bucket,
        Key: snapshot.key,
        CopySource: copySource(settings.bucket, snapshot.from),
      }),
    ),
  );
  const manifestEtag = await writeSiteManifest(s3, site, manifest, condition);
  return {
    bytesSent,
    manifestWritten: true,
    manifest,
    ...(manifestEtag ? { manifestEtag } : {}),
  };
}

/** The manifest with the ETags S3 gave the objects just written, for the next publish to compare. */
function withEtags(manifest: SiteManifest, etags: ReadonlyMap<string, string>): SiteManifest {
  if (etags.size === 0) return manifest;
  const files = { ...manifest.live.files };
  for (const [key, etag] of etags) {
    const file = files[key];
    if (file) files[key] = { ...file, etag };
  }
  return { ...manifest, live: { ...manifest.live, files } };
}
