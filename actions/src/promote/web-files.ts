import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { errorName } from "../ledger/documents";
import { snapshotFolder } from "../ledger/keys";
import { ConfigurationError, quote } from "../lib/errors";
import { ASSET_MANIFEST_FILE } from "../web/asset-manifest";
import { mapLimited } from "../web/concurrency";
import type { ManifestFile, Release } from "../web/manifest";
import type { EnvironmentLedger } from "./source";

/**
 * Fetches a web release's files from the bucket that published it into `folder`, byte for byte,
 * each checked against the sha256 its release recorded. Hashed assets are still at their keys
 * (kept releases are never pruned); an entry point a later release has replaced is read from its
 * snapshot. The build's asset-manifest.json is written back from the release's roles, so the
 * target classifies every file (entry point, hashed asset) as the source did. Reads only.
 */
export async function fetchWebRelease(
  s3: S3Client,
  source: EnvironmentLedger,
  release: Release,
  folder: string,
): Promise<{ files: number; bytes: number }> {
  const root = resolve(folder);
  const snapshots = snapshotFolder(source.ledgerPrefix, "");
  const entries = Object.entries(release.files);
  const sizes = await mapLimited(entries, 8, async ([key, file]) => {
    const path = resolve(root, key);
    const inside = relative(root, path);
    if (inside === "" || inside.startsWith(`..${sep}`) || inside === "..") {
      throw new ConfigurationError(
        `web release ${quote(release.releaseId)} lists key ${quote(key)} outside the site`,
      );
    }
    const bytes =
      (await readIfIntact(s3, source.bucket, key, file)) ??
      (file.role === "entry"
        ? await readIfIntact(s3, source.bucket, `${snapshots}${file.sha256}`, file)
        : undefined);
    if (!bytes) {
      throw new ConfigurationError(
        `file ${quote(key)} of web release ${quote(release.releaseId)} is no longer in s3://${source.bucket}/ as it was published (a later release replaced or pruned it): promote a newer release`,
      );
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    return bytes.length;
  });
  const roles = (role: ManifestFile["role"]) =>
    entries.filter(([, file]) => file.role === role).map(([key]) => key);
  await writeFile(
    join(root, ASSET_MANIFEST_FILE),
    `${JSON.stringify({ releaseId: release.releaseId, entryPoints: roles("entry"), immutable: roles("immutable") })}\n`,
  );
  return { files: entries.length, bytes: sizes.reduce((total, size) => total + size, 0) };
}

/** The object's bytes when they are the file the release recorded; undefined otherwise. */
async function readIfIntact(
  s3: S3Client,
  bucket: string,
  key: string,
  file: ManifestFile,
): Promise<Buffer | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    return createHash("sha256").update(bytes).digest("hex") === file.sha256 ? bytes : undefined;
  } catch (error) {
    if (errorName(error) === "NoSuchKey") return undefined;
    throw error;
  }
}
