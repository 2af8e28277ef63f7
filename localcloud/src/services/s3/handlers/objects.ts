import type { AwsRequest, AwsResponse } from "../../../server/aws-request";
import { headerNameOf, md5Hex } from "../checksums";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import type { ObjectRecord } from "../model";
import { contentHeadersFrom, objectResponseHeaders } from "../object-headers";
import { parseRange } from "../range";
import { evaluateReadConditions } from "../read-conditions";
import { readObjectBody } from "../request-body";
import type { WriteConditions } from "../store";

/** The preconditions of a write; S3 supports only `*` for If-None-Match on writes. */
export const writeConditionsFrom = (request: AwsRequest): WriteConditions => {
  const ifNoneMatch = request.header("if-none-match");
  const ifMatch = request.header("if-match");
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") throw s3Errors.notImplemented();
  return {
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: "*" } : {}),
    ...(ifMatch !== undefined ? { ifMatch } : {}),
  };
};

/**
 * Runs a write under its preconditions: they are checked first (cheap refusal before the body is
 * stored) and again, atomically, when the record is committed, where a concurrent winner shows.
 */
export const conditionalWrite = async <T>(
  context: S3Context,
  call: S3Call,
  conditions: WriteConditions,
  write: (startedAt: number) => Promise<T>,
): Promise<T> => {
  const { store } = context;
  const startedAt = store.beginWrite(conditions);
  try {
    store.checkWrite(call.bucket, call.key, conditions);
    return await write(startedAt);
  } finally {
    store.endWrite(conditions);
  }
};

export const putObject = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { store } = context;
  const { request, bucket, key } = call;
  store.bucket(bucket);
  const conditions = writeConditionsFrom(request);
  return conditionalWrite(context, call, conditions, async (startedAt) => {
    const { body, checksum } = readObjectBody(request);
    const blob = await store.blobs.write(body);
    const object: ObjectRecord = {
      key,
      blob,
      size: body.length,
      etag: `"${md5Hex(body)}"`,
      lastModified: new Date(context.now()).toISOString(),
      ...contentHeadersFrom(request),
      ...(checksum ? { checksum } : {}),
    };
    try {
      store.putObject(bucket, object, conditions, startedAt);
    } catch (error) {
      store.blobs.remove(blob);
      throw error;
    }
    const headers: Record<string, string> = {
      etag: object.etag,
      "x-amz-server-side-encryption": "AES256",
    };
    if (checksum) {
      headers[headerNameOf(checksum.algorithm)] = checksum.value;
      headers["x-amz-checksum-type"] = checksum.type;
    }
    return { status: 200, headers };
  });
};

const readObject = (context: S3Context, call: S3Call, withBody: boolean): AwsResponse => {
  const object = context.store.getObject(call.bucket, call.key);
  if (!object) throw s3Errors.noSuchKey(call.key);
  const { request } = call;
  if (evaluateReadConditions(request, object) === "not-modified") {
    return {
      status: 304,
      headers: { etag: object.etag, "last-modified": new Date(object.lastModified).toUTCString() },
    };
  }
  const range = parseRange(request.header("range"), object.size);
  const wantsChecksum = request.header("x-amz-checksum-mode")?.toUpperCase() === "ENABLED";
  const headers = objectResponseHeaders(object, request.query, wantsChecksum && !range);
  if (range) {
    headers["content-range"] = `bytes ${range.start}-${range.end}/${object.size}`;
    headers["content-length"] = String(range.end - range.start + 1);
    return {
      status: 206,
      headers,
      body: withBody
        ? context.store.blobs.openRead(object.blob, range.start, range.end)
        : undefined,
    };
  }
  headers["content-length"] = String(object.size);
  return {
    status: 200,
    headers,
    body: withBody && object.size > 0 ? context.store.blobs.openRead(object.blob) : undefined,
  };
};

export const getObject = async (context: S3Context, call: S3Call): Promise<AwsResponse> =>
  readObject(context, call, true);

export const headObject = async (context: S3Context, call: S3Call): Promise<AwsResponse> =>
  readObject(context, call, false);

/** Idempotent: deleting a missing key is 204 too. `If-Match` makes it conditional. */
export const deleteObject = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  context.store.deleteObject(call.bucket, call.key, call.request.header("if-match"));
  return { status: 204 };
};
