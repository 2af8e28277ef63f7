import type { AwsRequest } from "../../server/aws-request";
import { headerNameOf } from "./checksums";
import type { ContentHeaders, ObjectRecord } from "./model";
import { storedContentEncoding } from "./request-body";

const META_PREFIX = "x-amz-meta-";

/** The object headers a PutObject / CreateMultipartUpload / CopyObject (REPLACE) sets. */
export const contentHeadersFrom = (request: AwsRequest): ContentHeaders => {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue;
    metadata[name.slice(META_PREFIX.length)] = Array.isArray(value) ? value.join(",") : value;
  }
  const optional = {
    cacheControl: request.header("cache-control"),
    contentEncoding: storedContentEncoding(request.header("content-encoding")),
    contentDisposition: request.header("content-disposition"),
    contentLanguage: request.header("content-language"),
    expires: request.header("expires"),
  };
  return {
    contentType: request.header("content-type") ?? "binary/octet-stream",
    ...definedOnly(optional),
    metadata,
  };
};

const definedOnly = <T extends Record<string, string | undefined>>(values: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;

/**
 * The response headers of GetObject / HeadObject. `response-*` query parameters override the
 * stored content headers, as S3 allows for signed requests.
 */
export const objectResponseHeaders = (
  object: ObjectRecord,
  query: Record<string, string>,
  withChecksum: boolean,
): Record<string, string> => {
  const headers: Record<string, string> = {
    etag: object.etag,
    "last-modified": new Date(object.lastModified).toUTCString(),
    "accept-ranges": "bytes",
    "content-type": query["response-content-type"] ?? object.contentType,
    "x-amz-server-side-encryption": "AES256",
  };
  const optional: Array<[string, string | undefined]> = [
    ["cache-control", query["response-cache-control"] ?? object.cacheControl],
    ["content-encoding", query["response-content-encoding"] ?? object.contentEncoding],
    ["content-disposition", query["response-content-disposition"] ?? object.contentDisposition],
    ["content-language", query["response-content-language"] ?? object.contentLanguage],
    ["expires", query["response-expires"] ?? object.expires],
  ];
  for (const [name, value] of optional) if (value !== undefined) headers[name] = value;
  for (const [name, value] of Object.entries(object.metadata))
    headers[`x-amz-meta-${name}`] = value;
  if (withChecksum && object.checksum) {
    headers[headerNameOf(object.checksum.algorithm)] = object.checksum.value;
    headers["x-amz-checksum-type"] = object.checksum.type;
  }
  return headers;
};
