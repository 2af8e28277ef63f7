import { createHash, randomBytes } from "node:crypto";
import type { AwsResponse } from "../../../server/aws-request";
import { computeChecksum, headerNameOf, md5Hex, parseAlgorithm } from "../checksums";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import type { ChecksumRecord, ObjectRecord } from "../model";
import { contentHeadersFrom } from "../object-headers";
import { readObjectBody } from "../request-body";
import type { PartRecord, UploadRecord } from "../store";
import { isoTime, parseXmlBody, s3XmlResponse } from "../xml";
import { conditionalWrite, writeConditionsFrom } from "./objects";

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

export const createMultipartUpload = async (
  context: S3Context,
  call: S3Call,
): Promise<AwsResponse> => {
  const { request, bucket, key } = call;
  const checksumAlgorithm = parseAlgorithm(request.header("x-amz-checksum-algorithm"));
  const upload: UploadRecord = {
    uploadId: randomBytes(24).toString("base64url"),
    bucket,
    key,
    initiated: new Date(context.now()).toISOString(),
    headers: contentHeadersFrom(request),
    ...(checksumAlgorithm ? { checksumAlgorithm } : {}),
    parts: {},
  };
  context.store.createUpload(upload);
  return s3XmlResponse(
    "InitiateMultipartUploadResult",
    { Bucket: bucket, Key: key, UploadId: upload.uploadId },
    checksumAlgorithm ? { "x-amz-checksum-algorithm": checksumAlgorithm } : {},
  );
};

export const parsePartNumber = (value: string | undefined): number => {
  const partNumber = Number(value);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw s3Errors.invalidArgument(
      "Part number must be an integer between 1 and 10000, inclusive",
      "partNumber",
      value ?? "",
    );
  }
  return partNumber;
};

export const uploadPart = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { store } = context;
  const { request, bucket, key } = call;
  const uploadId = request.query.uploadId ?? "";
  const partNumber = parsePartNumber(request.query.partNumber);
  store.upload(bucket, key, uploadId);
  const { body, checksum } = readObjectBody(request);
  const blob = await store.blobs.write(body);
  const part: PartRecord = {
    partNumber,
    blob,
    size: body.length,
    etag: `"${md5Hex(body)}"`,
    lastModified: new Date(context.now()).toISOString(),
    ...(checksum ? { checksum } : {}),
  };
  try {
    store.putPart(bucket, key, uploadId, part);
  } catch (error) {
    store.blobs.remove(blob);
    throw error;
  }
  const headers: Record<string, string> = { etag: part.etag };
  if (checksum) headers[headerNameOf(checksum.algorithm)] = checksum.value;
  return { status: 200, headers };
};

interface RequestedPart {
  partNumber: number;
  etag: string;
}

const requestedParts = (body: Buffer): RequestedPart[] => {
  const document = parseXmlBody(body, "CompleteMultipartUpload");
  const parts = (document.Part as Array<Record<string, unknown>> | undefined) ?? [];
  if (parts.length === 0) throw s3Errors.malformedXml();
  return parts.map((part) => {
    const partNumber = Number(part.PartNumber);
    if (!Number.isInteger(partNumber) || typeof part.ETag !== "string")
      throw s3Errors.malformedXml();
    return { partNumber, etag: part.ETag };
  });
};

const sameEtag = (a: string, b: string): boolean => a.replace(/"/g, "") === b.replace(/"/g, "");

/** The parts to assemble, checked as S3 checks them: order, existence and ETag, minimum size. */
const resolveParts = (upload: UploadRecord, requested: RequestedPart[]): PartRecord[] => {
  requested.forEach((part, index) => {
    const previous = requested[index - 1];
    if (previous && part.partNumber <= previous.partNumber)
      throw s3Errors.invalidPartOrder(upload.uploadId);
  });
  const parts = requested.map((wanted) => {
    const stored = upload.parts[String(wanted.partNumber)];
    if (!stored || !sameEtag(stored.etag, wanted.etag)) {
      throw s3Errors.invalidPart(upload.uploadId, wanted.partNumber, wanted.etag);
    }
    return stored;
  });
  parts.forEach((part, index) => {
    if (index < parts.length - 1 && part.size < MIN_PART_SIZE) {
      throw s3Errors.entityTooSmall(part.size, part.partNumber, part.etag);
    }
  });
  return parts;
};

/** `"md5(concatenated binary MD5s of the parts)-N"`, as S3 computes a multipart ETag. */
export const multipartEtag = (partEtags: string[]): string => {
  const digests = Buffer.concat(
    partEtags.map((etag) => Buffer.from(etag.replace(/"/g, ""), "hex")),
  );
  return `"${createHash("md5").update(digests).digest("hex")}-${partEtags.length}"`;
};

/** A composite checksum (checksum of the parts' checksums, `-N`) when every part carries one. */
const compositeChecksum = (
  upload: UploadRecord,
  parts: PartRecord[],
): ChecksumRecord | undefined => {
  const algorithm = upload.checksumAlgorithm;
  if (!algorithm || !parts.every((part) => part.checksum?.algorithm === algorithm))
    return undefined;
  const joined = Buffer.concat(
    parts.map((part) => Buffer.from(part.checksum?.value ?? "", "base64")),
  );
  const value = computeChecksum(algorithm, joined);
  return value === undefined
    ? undefined
    : { algorithm, value: `${value}-${parts.length}`, type: "COMPOSITE" };
};

const completing = new Set<string>();

export const completeMultipartUpload = async (
  context: S3Context,
  call: S3Call,
): Promise<AwsResponse> => {
  const { store } = context;
  const { request, bucket, key } = call;
  const uploadId = request.query.uploadId ?? "";
  const upload = store.upload(bucket, key, uploadId);
  const parts = resolveParts(upload, requestedParts(request.body));
  const conditions = writeConditionsFrom(request);
  if (completing.has(uploadId)) throw s3Errors.noSuchUpload(uploadId);
  completing.add(uploadId);
  try {
    return await conditionalWrite(context, call, conditions, async (startedAt) => {
      const size = parts.reduce((total, part) => total + part.size, 0);
      const { id: blob } = await store.blobs.concat(
        parts.map((part) => part.blob),
        size,
      );
      const checksum = compositeChecksum(upload, parts);
      const object: ObjectRecord = {
        key,
        blob,
        size,
        etag: multipartEtag(parts.map((part) => part.etag)),
        lastModified: new Date(context.now()).toISOString(),
        ...upload.headers,
        partsCount: parts.length,
        ...(checksum ? { checksum } : {}),
      };
      try {
        store.putObject(bucket, object, conditions, startedAt);
      } catch (error) {
        store.blobs.remove(blob);
        throw error;
      }
      store.finishUpload(uploadId);
      const checksumElement = checksum
        ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type }
        : {};
      return s3XmlResponse("CompleteMultipartUploadResult", {
        Location: `/${bucket}/${key}`,
        Bucket: bucket,
        Key: key,
        ETag: object.etag,
        ...checksumElement,
      });
    });
  } finally {
    completing.delete(uploadId);
  }
};

export const abortMultipartUpload = async (
  context: S3Context,
  call: S3Call,
): Promise<AwsResponse> => {
  const uploadId = call.request.query.uploadId ?? "";
  context.store.upload(call.bucket, call.key, uploadId);
  context.store.abortUpload(uploadId);
  return { status: 204 };
};

export const listParts = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { query } = call.request;
  const uploadId = query.uploadId ?? "";
  const upload = context.store.upload(call.bucket, call.key, uploadId);
  const marker = Number(query["part-number-marker"] ?? 0) || 0;
  const maxParts = Math.min(Number(query["max-parts"] ?? 1000) || 1000, 1000);
  const all = Object.values(upload.parts)
    .filter((part) => part.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const owner = { ID: context.accountId, DisplayName: "localcloud" };
  return s3XmlResponse("ListPartsResult", {
    Bucket: call.bucket,
    Key: call.key,
    UploadId: uploadId,
    Initiator: owner,
    Owner: owner,
    StorageClass: "STANDARD",
    PartNumberMarker: marker,
    ...(all.length > page.length
      ? { NextPartNumberMarker: page[page.length - 1]?.partNumber }
      : {}),
    MaxParts: maxParts,
    IsTruncated: all.length > page.length,
    ...(upload.checksumAlgorithm ? { ChecksumAlgorithm: upload.checksumAlgorithm } : {}),
    Part: page.map((part) => ({
      PartNumber: part.partNumber,
      LastModified: isoTime(part.lastModified),
      ETag: part.etag,
      Size: part.size,
      ...(part.checksum ? { [`Checksum${part.checksum.algorithm}`]: part.checksum.value } : {}),
    })),
  });
};

export const listMultipartUploads = async (
  context: S3Context,
  call: S3Call,
): Promise<AwsResponse> => {
  const prefix = call.request.query.prefix ?? "";
  const uploads = context.store
    .listUploads(call.bucket)
    .filter((upload) => upload.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated < b.initiated ? -1 : 1));
  return s3XmlResponse("ListMultipartUploadsResult", {
    Bucket: call.bucket,
    KeyMarker: "",
    UploadIdMarker: "",
    Prefix: prefix,
    MaxUploads: 1000,
    IsTruncated: false,
    Upload: uploads.map((upload) => ({
      Key: upload.key,
      UploadId: upload.uploadId,
      Initiated: isoTime(upload.initiated),
      StorageClass: "STANDARD",
    })),
  });
};
