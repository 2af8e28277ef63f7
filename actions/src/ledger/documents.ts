import { gunzipSync, gzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/**
 * The objects every shipline record is stored in (web manifests, release records, live pointers,
 * locks): read with the ETag a later write must match, written under one kind of precondition.
 */

/** The precondition of a write: create only (`If-None-Match: *`) or replace exactly this ETag. */
export type WriteCondition = { create: true } | { etag: string };

export const errorName = (error: unknown): string | undefined =>
  (error as { name?: string; Code?: string }).name;

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** 412: the object exists (create) or changed (If-Match). */
export const isPreconditionFailed = (error: unknown): boolean =>
  errorName(error) === "PreconditionFailed" || statusOf(error) === 412;

/** 409: another conditional write to the same key was in flight; S3 asks to retry. */
export const isConditionalConflict = (error: unknown): boolean =>
  errorName(error) === "ConditionalRequestConflict" || statusOf(error) === 409;

/** A record's text (gunzipped when stored gzipped) and ETag; undefined when there is none. */
export async function readDocument(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ text: string; etag?: string } | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    const text = (object.ContentEncoding === "gzip" ? gunzipSync(bytes) : bytes).toString("utf8");
    return { text, ...(object.ETag ? { etag: object.ETag } : {}) };
  } catch (error) {
    if (errorName(error) === "NoSuchKey") return undefined;
    throw error;
  }
}

/**
 * Writes a JSON record under an optional precondition; returns the new ETag. `gzip` for the big
 * ones written on every publish (a manifest lists every file of several releases, mostly hashes).
 */
export async function writeDocument(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  options: { condition?: WriteCondition; gzip?: boolean } = {},
): Promise<string | undefined> {
  const { condition, gzip = false } = options;
  const written = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: gzip ? gzipSync(body) : body,
      ContentType: "application/json",
      ...(gzip ? { ContentEncoding: "gzip" } : {}),
      // Records are read by shipline, never through a cache.
      CacheControl: "no-store",
      ...(condition && "create" in condition ? { IfNoneMatch: "*" } : {}),
      ...(condition && "etag" in condition ? { IfMatch: condition.etag } : {}),
    }),
  );
  return written.ETag;
}
