/** Checksum algorithms S3 accepts in `x-amz-checksum-*` headers and trailers. */
export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface ChecksumRecord {
  algorithm: ChecksumAlgorithm;
  /** Base64 value as S3 returns it; composite multipart checksums end in `-N`. */
  value: string;
  type: "FULL_OBJECT" | "COMPOSITE";
}

/** The headers that S3 stores with an object and returns on GET/HEAD. */
export interface ContentHeaders {
  contentType: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  expires?: string;
  /** User metadata, keys lower-cased without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
}

/** One stored object (no versioning: one record per key). */
export interface ObjectRecord extends ContentHeaders {
  key: string;
  /** Name of the file under `blobs/` holding the body. */
  blob: string;
  size: number;
  /** Quoted, as S3 sends it: `"md5hex"` or `"md5-of-part-md5s-N"`. */
  etag: string;
  /** ISO time of the write. */
  lastModified: string;
  checksum?: ChecksumRecord;
  /** Number of parts when the object was written by a multipart upload. */
  partsCount?: number;
}

export interface BucketRecord {
  name: string;
  created: string;
  region: string;
  /** The bucket policy document as it was put (PutBucketPolicy), if any. */
  policy?: string;
}

/** What other services (the CloudFront edge) read through the in-process API. */
export interface StoredObject {
  body: Buffer;
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  etag: string;
  lastModified: Date;
  size: number;
  metadata: Record<string, string>;
}
