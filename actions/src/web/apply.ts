import { CopyObjectCommand, DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { WriteCondition } from "../ledger/documents";
import { type SiteLocation, writeManifestOnly, writeWebRelease } from "../ledger/site";
import { throwIfCancelled } from "../lib/cancel";
import type { Logger } from "../lib/logger";
import { mapLimited } from "./concurrency";
import { currentObject, type FileRole, type SiteManifest } from "./manifest";
import type { PlannedFile, PublishPlan } from "./plan";
import { copySource, type TransferSettings, transferFile } from "./transfer";

export interface ApplySettings extends TransferSettings {
  concurrency: number;
}

export interface UploadResult {
  /** Bytes actually sent (copies send none). */
  bytesSent: number;
  /** The ETag S3 gave each object written, by key, for the manifest. */
  etags: Map<string, string>;
}

export interface RecordResult {
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
 * A failed upload, and whether it happened while the entry points were being written: then some
 * of them may already be the new release's, and the caller must put the old ones back.
 */
export class UploadError extends Error {
  constructor(
    cause: unknown,
    readonly duringEntryPoints: boolean,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/**
 * Puts a plan's files into the bucket in groups, each finished before the next starts: immutable
 * assets, other files, then the entry points that reference them, so no viewer ever gets a page
 * whose assets are not there yet. When it returns, the entry points are live: the commit point
 * of the publish.
 */
export async function uploadFiles(
  s3: S3Client,
  plan: PublishPlan,
  site: SiteLocation,
  settings: ApplySettings,
  logger: Logger,
  /** SIGINT/SIGTERM: checked before each group, the last time just before the entry points. */
  signal?: AbortSignal,
  /** Called once, right before the first entry point is written. */
  beforeEntryPoints?: () => Promise<void>,
): Promise<UploadResult> {
  let bytesSent = 0;
  const etags = new Map<string, string>();
  for (const group of GROUPS) {
    // The safe point of a publish: nothing of this group is sent yet, and the site still serves
    // the previous release's pages.
    throwIfCancelled(signal);
    if (group.role === "entry") await beforeEntryPoints?.();
    // The release's own record goes up before its entry points: a run that dies once they are
    // served leaves a release the next run can recognise as the one the site serves.
    if (group.role === "entry" && plan.manifest) {
      await writeWebRelease(s3, site, plan.manifest.live);
    }
    const files = plan.files.filter((file) => file.role === group.role && file.action !== "skip");
    if (files.length === 0) continue;
    logger.info(`sending ${files.length} ${group.label}`);
    try {
      const sent = await mapLimited(files, settings.concurrency, async (file: PlannedFile) => {
        const transferred = await transferFile(s3, file, settings);
        if (transferred.etag) etags.set(file.key, transferred.etag);
        return transferred.bytes;
      });
      bytesSent += sent.reduce((total, bytes) => total + bytes, 0);
    } catch (error) {
      throw new UploadError(error, group.role === "entry");
    }
  }
  return { bytesSent, etags };
}

/**
 * Records a release whose entry points are live: snapshots of its entry points (server-side
 * copies, for a later rollback), then the manifest. Until the manifest is written the previous
 * release is the one of record, and the next publish redoes what is missing.
 */
export async function recordUploads(
  s3: S3Client,
  plan: PublishPlan,
  site: SiteLocation,
  settings: ApplySettings,
  condition?: WriteCondition,
  etags: ReadonlyMap<string, string> = new Map(),
): Promise<RecordResult> {
  if (!plan.manifest) return { manifestWritten: false };
  const manifest = withEtags(plan.manifest, etags);
  await mapLimited(plan.snapshots, settings.concurrency, (snapshot) =>
    s3.send(
      new CopyObjectCommand({
        Bucket: settings.bucket,
        Key: snapshot.key,
        CopySource: copySource(settings.bucket, snapshot.from),
      }),
    ),
  );
  const manifestEtag = await writeManifestOnly(s3, site, manifest, condition);
  return { manifestWritten: true, manifest, ...(manifestEtag ? { manifestEtag } : {}) };
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

/**
 * Undoes a half-written group of entry points: each one the plan changed goes back to what the
 * site's manifest says the bucket served (copied from its snapshot), or is deleted when it is new.
 */
export async function putBackEntryPoints(
  s3: S3Client,
  plan: PublishPlan,
  previous: SiteManifest | undefined,
  snapshotFolder: string,
  settings: ApplySettings,
): Promise<void> {
  const written = plan.files.filter((file) => file.role === "entry" && file.action !== "skip");
  await mapLimited(written, settings.concurrency, async (file) => {
    const before = currentObject(previous, file.key);
    if (!before) {
      await s3.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: file.key }));
      return;
    }
    await s3.send(
      new CopyObjectCommand({
        Bucket: settings.bucket,
        Key: file.key,
        CopySource: copySource(settings.bucket, `${snapshotFolder}${before.sha256}`),
        MetadataDirective: "REPLACE",
        ContentType: before.contentType,
        CacheControl: before.cacheControl,
        Metadata: { sha256: before.sha256 },
      }),
    );
  });
}
