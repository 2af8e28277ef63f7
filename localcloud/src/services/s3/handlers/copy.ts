import type { AwsRequest, AwsResponse } from "../../../server/aws-request";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import type { ObjectRecord } from "../model";
import { contentHeadersFrom } from "../object-headers";
import { etagMatches } from "../store";
import { isoTime, s3XmlResponse } from "../xml";
import { conditionalWrite, writeConditionsFrom } from "./objects";

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, percent-encoded. */
export const parseCopySource = (value: string): { bucket: string; key: string } => {
  const withoutVersion = value.split("?")[0] ?? "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutVersion.replace(/^\//, ""));
  } catch {
    throw s3Errors.invalidArgument("Invalid copy source encoding", "x-amz-copy-source", value);
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw s3Errors.invalidArgument("Invalid copy source object key", "x-amz-copy-source", value);
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
};

/** The `x-amz-copy-source-if-*` preconditions on the source; any failure is 412. */
export const checkSourceConditions = (request: AwsRequest, source: ObjectRecord): void => {
  const modified = Math.floor(Date.parse(source.lastModified) / 1000) * 1000;
  const ifMatch = request.header("x-amz-copy-source-if-match");
  const ifNoneMatch = request.header("x-amz-copy-source-if-none-match");
  const unmodifiedSince = request.header("x-amz-copy-source-if-unmodified-since");
  const modifiedSince = request.header("x-amz-copy-source-if-modified-since");
  if (ifMatch !== undefined && !etagMatches(ifMatch, source.etag)) {
    throw s3Errors.preconditionFailed("x-amz-copy-source-If-Match");
  }
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, source.etag)) {
    throw s3Errors.preconditionFailed("x-amz-copy-source-If-None-Match");
  }
  if (
    ifMatch === undefined &&
    unmodifiedSince !== undefined &&
    modified > Date.parse(unmodifiedSince)
  ) {
    throw s3Errors.preconditionFailed("x-amz-copy-source-If-Unmodified-Since");
  }
  if (
    ifNoneMatch === undefined &&
    modifiedSince !== undefined &&
    modified <= Date.parse(modifiedSince)
  ) {
    throw s3Errors.preconditionFailed("x-amz-copy-source-If-Modified-Since");
  }
};

/**
 * CopyObject: a server-side copy with the source's headers (COPY) or the request's (REPLACE).
 * The copy is a single-part object, so its ETag is the MD5 of the content even when the source
 * was a multipart upload, as with S3.
 */
export const copyObject = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { store } = context;
  const { request, bucket, key } = call;
  store.bucket(bucket);
  const sourceRef = parseCopySource(request.header("x-amz-copy-source") ?? "");
  const directive = (request.header("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw s3Errors.invalidArgument(
      "Unknown metadata directive.",
      "x-amz-metadata-directive",
      directive,
    );
  }
  const conditions = writeConditionsFrom(request);
  return conditionalWrite(context, call, conditions, async (startedAt) => {
    const source = store.getObject(sourceRef.bucket, sourceRef.key);
    if (!source) throw s3Errors.noSuchKey(sourceRef.key);
    checkSourceConditions(request, source);
    if (sourceRef.bucket === bucket && sourceRef.key === key && directive === "COPY") {
      throw s3Errors.invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    // Opened in the same tick as the lookup: an overwrite of the source cannot remove it first.
    const { id: blob, md5 } = await store.blobs.concat([source.blob], source.size);
    const headers =
      directive === "REPLACE"
        ? contentHeadersFrom(request)
        : {
            contentType: source.contentType,
            metadata: { ...source.metadata },
            ...pick(source, [
              "cacheControl",
              "contentEncoding",
              "contentDisposition",
              "contentLanguage",
              "expires",
            ]),
          };
    const object: ObjectRecord = {
      key,
      blob,
      size: source.size,
      etag: `"${md5}"`,
      lastModified: new Date(context.now()).toISOString(),
      ...headers,
      ...(source.checksum?.type === "FULL_OBJECT" ? { checksum: source.checksum } : {}),
    };
    try {
      store.putObject(bucket, object, conditions, startedAt);
    } catch (error) {
      store.blobs.remove(blob);
      throw error;
    }
    return s3XmlResponse("CopyObjectResult", {
      ETag: object.etag,
      LastModified: isoTime(object.lastModified),
    });
  });
};

const pick = <T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> => {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
};
