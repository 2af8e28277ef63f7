import type { S3Client } from "@aws-sdk/client-s3";
import { ConfigurationError, quote } from "../lib/errors";
import {
  orderedRelease,
  parseSiteManifest,
  parseWebRelease,
  type Release,
  type SiteManifest,
  serializeSiteManifest,
} from "../web/manifest";
import {
  isConditionalConflict,
  isPreconditionFailed,
  readDocument,
  type WriteCondition,
  writeDocument,
} from "./documents";
import { manifestKey, releaseKey } from "./keys";

export interface SiteLocation {
  bucket: string;
  /** Key prefix of the site: "" or "previews/pr-7/". */
  prefix: string;
  ledgerPrefix: string;
}

/** S3 errors that mean the user named a bucket that is not there (or not theirs). */
export function bucketError(error: unknown, bucket: string): ConfigurationError | undefined {
  const name = (error as { name?: string }).name;
  if (name === "NoSuchBucket") {
    return new ConfigurationError(`input "bucket" ${quote(bucket)}: no such bucket`, {
      cause: error,
    });
  }
  if (name === "AccessDenied" || name === "Forbidden") {
    return new ConfigurationError(
      `input "bucket" ${quote(bucket)}: access denied (the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on it)`,
      { cause: error },
    );
  }
  return undefined;
}

/** The site's manifest: the one read a publish makes. Undefined when nothing was published yet. */
export async function readSiteManifest(
  s3: S3Client,
  site: SiteLocation,
): Promise<SiteManifest | undefined> {
  return (await readSiteManifestVersion(s3, site)).manifest;
}

/** A manifest with the ETag it was read at, for a conditional write of the next one. */
export interface ManifestVersion {
  manifest?: SiteManifest;
  etag?: string;
}

export async function readSiteManifestVersion(
  s3: S3Client,
  site: SiteLocation,
): Promise<ManifestVersion> {
  const key = manifestKey(site.ledgerPrefix, site.prefix);
  const document = await readLedgerDocument(s3, site.bucket, key);
  if (!document) return {};
  return {
    manifest: parseSiteManifest(document.text, `s3://${site.bucket}/${key}`),
    ...(document.etag ? { etag: document.etag } : {}),
  };
}

/**
 * One release's own record (its files as it planned them), written before its entry points go
 * up: what tells, after a run died, whose entry points the bucket serves.
 */
export async function readWebRelease(
  s3: S3Client,
  site: SiteLocation,
  releaseId: string,
): Promise<Release | undefined> {
  const key = releaseKey(site.ledgerPrefix, site.prefix, releaseId);
  const document = await readLedgerDocument(s3, site.bucket, key);
  return document ? parseWebRelease(document.text, `s3://${site.bucket}/${key}`) : undefined;
}

/** A ledger document; a bucket that is not there (or not theirs) is the user's mistake. */
async function readLedgerDocument(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ text: string; etag?: string } | undefined> {
  try {
    return await readDocument(s3, bucket, key);
  } catch (error) {
    throw bucketError(error, bucket) ?? error;
  }
}

/**
 * The site's manifest is written only over the version a publish read (If-Match), or only if
 * there is none yet (If-None-Match: *): two publishes of one site at once cannot both record
 * their release.
 */
export function conditionAfter(version: ManifestVersion): WriteCondition | undefined {
  if (!version.manifest) return { create: true };
  return version.etag ? { etag: version.etag } : undefined;
}

/**
 * Records a release: its own copy first (for history and rollback), then the site's manifest,
 * which is what makes it the live release for the next publish.
 */
export async function writeSiteManifest(
  s3: S3Client,
  site: SiteLocation,
  manifest: SiteManifest,
  condition?: WriteCondition,
): Promise<string | undefined> {
  await writeWebRelease(s3, site, manifest.live);
  return writeManifestOnly(s3, site, manifest, condition);
}

/** A release's own record, read by rollback, history and reconciliation. */
export async function writeWebRelease(
  s3: S3Client,
  site: SiteLocation,
  release: Release,
): Promise<void> {
  await writeDocument(
    s3,
    site.bucket,
    releaseKey(site.ledgerPrefix, site.prefix, release.releaseId),
    `${JSON.stringify(orderedRelease(release))}\n`,
    { gzip: true },
  );
}

/** Rewrites the site's manifest alone (after a prune, the release record is already there). */
export async function writeManifestOnly(
  s3: S3Client,
  site: SiteLocation,
  manifest: SiteManifest,
  condition?: WriteCondition,
): Promise<string | undefined> {
  const key = manifestKey(site.ledgerPrefix, site.prefix);
  try {
    return await writeDocument(s3, site.bucket, key, serializeSiteManifest(manifest), {
      gzip: true,
      ...(condition ? { condition } : {}),
    });
  } catch (error) {
    if (condition && (isPreconditionFailed(error) || isConditionalConflict(error))) {
      throw new Error(
        `another publish recorded a release of s3://${site.bucket}/${site.prefix} while this one ran; release ${manifest.live.releaseId} was not recorded (its files are up: re-run to record it)`,
        { cause: error },
      );
    }
    throw error;
  }
}
