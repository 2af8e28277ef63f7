import type { AwsResponse } from "../../../server/aws-request";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import { listPage } from "../listing";
import type { ObjectRecord } from "../model";
import { isoTime, s3XmlResponse } from "../xml";

const MAX_KEYS = 1000;

const parseMaxKeys = (value: string | undefined): number => {
  if (value === undefined || value === "") return MAX_KEYS;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw s3Errors.invalidArgument(
      "Provided max-keys not an integer or within integer range",
      "max-keys",
      value,
    );
  }
  return Math.min(parsed, MAX_KEYS);
};

/** With `encoding-type=url`, S3 percent-encodes keys and prefixes in the answer (not `/`). */
const encoderFor = (encodingType: string | undefined) => {
  if (encodingType === undefined) return (value: string) => value;
  if (encodingType !== "url") {
    throw s3Errors.invalidArgument(
      "Invalid Encoding Method specified in Request",
      "encoding-type",
      encodingType,
    );
  }
  return (value: string) => encodeURIComponent(value).replace(/%2F/g, "/");
};

const contentsOf = (objects: ObjectRecord[], encode: (value: string) => string, owner?: object) =>
  objects.map((object) => ({
    Key: encode(object.key),
    LastModified: isoTime(object.lastModified),
    ETag: object.etag,
    ...(object.checksum
      ? { ChecksumAlgorithm: object.checksum.algorithm, ChecksumType: object.checksum.type }
      : {}),
    Size: object.size,
    ...(owner ? { Owner: owner } : {}),
    StorageClass: "STANDARD",
  }));

const optional = (name: string, value: string | undefined) =>
  value === undefined || value === "" ? {} : { [name]: value };

const runListing = (context: S3Context, call: S3Call, after: string | undefined) => {
  const { query } = call.request;
  const prefix = query.prefix ?? "";
  const delimiter = query.delimiter === "" ? undefined : query.delimiter;
  const maxKeys = parseMaxKeys(query["max-keys"]);
  const sortedKeys = context.store.sortedKeys(call.bucket);
  const page = listPage(sortedKeys, {
    prefix,
    maxKeys,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(after !== undefined ? { after } : {}),
  });
  const objects = page.keys.map((key) => context.store.getObject(call.bucket, key) as ObjectRecord);
  return { page, objects, prefix, delimiter, maxKeys };
};

const encodeToken = (last: string): string => Buffer.from(`v1:${last}`, "utf8").toString("base64");

const decodeToken = (token: string): string => {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  if (!decoded.startsWith("v1:")) {
    throw s3Errors.invalidArgument(
      "The continuation token provided is incorrect",
      "continuation-token",
      token,
    );
  }
  return decoded.slice(3);
};

export const listObjectsV2 = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { query } = call.request;
  const encode = encoderFor(query["encoding-type"]);
  const token = query["continuation-token"];
  const startAfter = query["start-after"];
  const after = token !== undefined && token !== "" ? decodeToken(token) : startAfter;
  const { page, objects, prefix, delimiter, maxKeys } = runListing(context, call, after);
  const owner =
    query["fetch-owner"] === "true"
      ? { ID: context.accountId, DisplayName: "localcloud" }
      : undefined;
  return s3XmlResponse("ListBucketResult", {
    Name: call.bucket,
    Prefix: encode(prefix),
    ...optional("Delimiter", delimiter === undefined ? undefined : encode(delimiter)),
    MaxKeys: maxKeys,
    ...optional("EncodingType", query["encoding-type"]),
    KeyCount: page.keys.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ...optional("ContinuationToken", token),
    ...optional(
      "NextContinuationToken",
      page.isTruncated && page.last !== undefined ? encodeToken(page.last) : undefined,
    ),
    ...optional("StartAfter", startAfter === undefined ? undefined : encode(startAfter)),
    Contents: contentsOf(objects, encode, owner),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
};

/** ListObjects (v1): marker-based; NextMarker only when a delimiter is given, as S3 does. */
export const listObjects = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { query } = call.request;
  const encode = encoderFor(query["encoding-type"]);
  const marker = query.marker;
  const { page, objects, prefix, delimiter, maxKeys } = runListing(
    context,
    call,
    marker === "" ? undefined : marker,
  );
  const owner = { ID: context.accountId, DisplayName: "localcloud" };
  return s3XmlResponse("ListBucketResult", {
    Name: call.bucket,
    Prefix: encode(prefix),
    Marker: encode(marker ?? ""),
    ...optional(
      "NextMarker",
      page.isTruncated && delimiter !== undefined && page.last !== undefined
        ? encode(page.last)
        : undefined,
    ),
    MaxKeys: maxKeys,
    ...optional("Delimiter", delimiter === undefined ? undefined : encode(delimiter)),
    ...optional("EncodingType", query["encoding-type"]),
    IsTruncated: page.isTruncated,
    Contents: contentsOf(objects, encode, owner),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
};
