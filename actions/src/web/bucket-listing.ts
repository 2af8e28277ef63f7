import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { bucketError } from "../ledger/site";

/** An object as a listing shows it: enough to tell whether it still holds what was published. */
export interface ListedObject {
  size: number;
  /** As S3 reports it, quotes removed: an MD5 for a single-part upload, `<hash>-<parts>` otherwise. */
  etag: string;
}

/**
 * Every object under a prefix, key → size and ETag: one ListObjectsV2 request per 1,000 keys.
 * With `delimiter: "/"`, only the objects directly in that folder, not in its subfolders.
 */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: { delimiter?: string } = {},
): Promise<Map<string, ListedObject>> {
  const objects = new Map<string, ListedObject>();
  let token: string | undefined;
  do {
    const page = await s3
      .send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw bucketError(error, bucket) ?? error;
      });
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      objects.set(object.Key, {
        size: object.Size ?? 0,
        etag: (object.ETag ?? "").replace(/"/g, ""),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** Every key under a prefix. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return [...(await listObjects(s3, bucket, prefix)).keys()];
}

/** S3's ETag is the content's MD5 only for an object put in one part (and not SSE-KMS/SSE-C). */
export function etagIsMd5(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(etag);
}
