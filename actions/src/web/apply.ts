import { CopyObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "../lib/logger";
import { mapLimited } from "./concurrency";
import {
  type SiteLocation,
  type WriteCondition,
  writeManifestOnly,
  writeWebRelease,
} from "./ledger";
import type { FileRole } from "./manifest";
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
  for (const group of GROUPS) {
    // The release's own record goes up before its entry points: a run that dies once they are
    // served leaves a release the next run can recognise as the one the site serves.
    if (group.role === "entry" && plan.manifest)
      await writeWebRelease(s3, site, plan.manifest.live);
    const files = plan.files.filter((file) => file.role === group.role && file.action !== "skip");
    if (files.length === 0) continue;
    logger.info(`sending ${files.length} ${group.label}`);
    const sent = await mapLimited(files, settings.concurrency, (file: PlannedFile) =>
      transferFile(s3, file, settings),
    );
    bytesSent += sent.reduce((total, bytes) => total + bytes, 0);
  }
  if (!plan.manifest) return { bytesSent, manifestWritten: false };
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
  const manifestEtag = await writeManifestOnly(s3, site, plan.manifest, condition);
  return { bytesSent, manifestWritten: true, ...(manifestEtag ? { manifestEtag } : {}) };
}
