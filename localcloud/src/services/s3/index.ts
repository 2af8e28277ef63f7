import type { ServiceFactory } from "../service";
import { createS3Service } from "./service";

export type { StoredObject } from "./model";
export type { S3Service } from "./service";

/**
 * S3 (REST-XML; path-style, and virtual-hosted when the Host is `<bucket>.<endpoint host>` or
 * `<bucket>.localhost`).
 *
 * Operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
 * GetBucketVersioning (never enabled); PutObject, GetObject (ranges, conditional headers,
 * `response-*` overrides), HeadObject, DeleteObject (optionally `If-Match`), CopyObject (COPY /
 * REPLACE, source conditions), DeleteObjects, ListObjectsV2, ListObjects; multipart create /
 * upload part / upload part copy / complete / abort / list parts / list uploads. Conditional
 * writes (`If-None-Match: *`, `If-Match`) on PutObject, CopyObject and CompleteMultipartUpload.
 * Bodies may arrive `aws-chunked`; `x-amz-checksum-*` (CRC32, CRC32C, SHA1, SHA256), Content-MD5
 * and the payload SHA-256 are verified. Not emulated: versioning, ACLs, policies, tagging, CORS,
 * website hosting, object lock, SSE-C, presigned (query-string) authentication.
 *
 * State: `<stateDir>/s3/index.jsonl` (a journal of buckets, objects and uploads; bodies up to
 * 4 KiB inline) and `<stateDir>/s3/blobs/` (one file per larger body).
 */
export const s3Service: ServiceFactory = {
  name: "s3",
  create: (context) => createS3Service(context),
};
