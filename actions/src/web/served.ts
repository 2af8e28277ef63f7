import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { mapLimited } from "./concurrency";

/** Key → SHA-256 of the object the bucket holds now; null when absent or not shipline's. */
export type ServedContent = Record<string, string | null>;

/**
 * What the bucket really holds at these keys, by the SHA-256 every shipline upload, copy and
 * restore sets as object metadata. S3's ETag is an MD5 (or a multipart hash), so it cannot be
 * compared with a manifest; an object without the metadata was not written by shipline and
 * counts as absent. One HEAD per key: callers pass entry points, a handful.
 */
export async function servedContent(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  concurrency = 8,
): Promise<ServedContent> {
  const hashes = await mapLimited(keys, concurrency, async (key) => {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return head.Metadata?.sha256 ?? null;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "NotFound" || name === "NoSuchKey") return null;
      throw error;
    }
  });
  return Object.fromEntries(keys.map((key, index) => [key, hashes[index] ?? null]));
}
