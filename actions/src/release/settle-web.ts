import { CopyObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { snapshotFolder } from "../ledger/keys";
import {
  conditionAfter,
  readSiteManifestVersion,
  readWebRelease,
  type SiteLocation,
  writeManifestOnly,
} from "../ledger/site";
import { MANIFEST_FORMAT, type SiteManifest } from "../web/manifest";
import { servedContent } from "../web/served";
import { copySource } from "../web/transfer";

/**
 * Records in the site's manifest a web release found serving after its run died between its
 * entry points and its manifest: the next publish then diffs against what the bucket holds, and
 * a rollback can return to it or away from it. Snapshots of its entry points (what a rollback
 * copies back) are taken from the served objects when the run died before taking them. Writes
 * under the ledger prefix only. False when the manifest names it already.
 */
export async function recordServedWebRelease(
  s3: S3Client,
  site: SiteLocation,
  releaseId: string,
): Promise<boolean> {
  const version = await readSiteManifestVersion(s3, site);
  const previous = version.manifest;
  if (previous?.live.releaseId === releaseId) return false;
  const release = await readWebRelease(s3, site, releaseId);
  if (!release) return false;
  const folder = snapshotFolder(site.ledgerPrefix, site.prefix);
  const entries = Object.entries(release.files).filter(([, file]) => file.role === "entry");
  const snapshots = await servedContent(
    s3,
    site.bucket,
    entries.map(([, file]) => `${folder}${file.sha256}`),
  );
  for (const [key, file] of entries) {
    const snapshot = `${folder}${file.sha256}`;
    if (snapshots[snapshot] === file.sha256) continue;
    // The served object was checked to hold exactly these bytes (its SHA-256) by the caller.
    await s3.send(
      new CopyObjectCommand({
        Bucket: site.bucket,
        Key: snapshot,
        CopySource: copySource(site.bucket, key),
      }),
    );
  }
  const manifest: SiteManifest = previous
    ? {
        ...previous,
        live: release,
        history: [previous.live, ...previous.history.filter((r) => r.releaseId !== releaseId)],
      }
    : {
        format: MANIFEST_FORMAT,
        prefix: site.prefix,
        live: release,
        history: [],
        pendingDeletes: [],
      };
  await writeManifestOnly(s3, site, manifest, conditionAfter(version));
  return true;
}
