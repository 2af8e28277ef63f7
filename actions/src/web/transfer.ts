import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { CopyObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { PlannedFile } from "./plan";

export interface TransferSettings {
  bucket: string;
  /** Files this large or larger go up in parts. */
  multipartThreshold: number;
  partSize: number;
}

/** The object metadata shipline sets: its own hash, so a bucket can be audited without a manifest. */
const metadata = (file: PlannedFile) => ({ sha256: file.sha256 });

/** CopySource is `bucket/key`, URL-encoded per segment. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

/** What one transfer did: bytes sent, and the ETag S3 gave the object (quotes removed). */
export interface Transferred {
  bytes: number;
  etag?: string;
}

const unquoted = (etag: string | undefined): { etag?: string } =>
  etag ? { etag: etag.replace(/"/g, "") } : {};

/**
 * Sends one planned file. Small files are read into memory so the SDK can retry them (a consumed
 * stream cannot be resent) and carry their SHA-256 for S3 to verify; large files go up in parts,
 * each part retried on its own. Copies move no bytes: a header-only change or bytes another key
 * already holds.
 */
export async function transferFile(
  s3: S3Client,
  file: PlannedFile,
  settings: TransferSettings,
): Promise<Transferred> {
  const headers = {
    Bucket: settings.bucket,
    Key: file.key,
    ContentType: file.contentType,
    CacheControl: file.cacheControl,
    Metadata: metadata(file),
  };
  if (file.action === "copy" && file.copyFrom !== undefined) {
    const copied = await s3.send(
      new CopyObjectCommand({
        ...headers,
        CopySource: copySource(settings.bucket, file.copyFrom),
        MetadataDirective: "REPLACE",
      }),
    );
    return { bytes: 0, ...unquoted(copied.CopyObjectResult?.ETag) };
  }
  if (file.size >= settings.multipartThreshold) {
    const upload = new Upload({
      client: s3,
      params: { ...headers, Body: createReadStream(file.absolutePath) },
      partSize: settings.partSize,
      queueSize: 4,
      leavePartsOnError: false,
    });
    const done = await upload.done();
    return { bytes: file.size, ...unquoted(done.ETag) };
  }
  const body = await readFile(file.absolutePath);
  const put = await s3.send(
    new PutObjectCommand({
      ...headers,
      Body: body,
      ChecksumSHA256: Buffer.from(file.sha256, "hex").toString("base64"),
    }),
  );
  return { bytes: body.length, ...unquoted(put.ETag) };
}
