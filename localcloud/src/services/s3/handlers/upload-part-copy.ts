import type { AwsResponse } from "../../../server/aws-request";
import { md5Hex } from "../checksums";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import type { PartRecord } from "../store";
import { isoTime, s3XmlResponse } from "../xml";
import { checkSourceConditions, parseCopySource } from "./copy";
import { parsePartNumber } from "./multipart";

/** `x-amz-copy-source-range: bytes=first-last` (both required, within the source). */
const parseCopyRange = (
  value: string | undefined,
  size: number,
): { start: number; end: number } => {
  if (value === undefined) return { start: 0, end: size - 1 };
  const match = value.match(/^bytes=(\d+)-(\d+)$/);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || end < start || end >= size) {
    throw s3Errors.invalidArgument(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      "x-amz-copy-source-range",
      value,
    );
  }
  return { start, end };
};

/** UploadPartCopy: a part taken from (a byte range of) an existing object, as `aws s3 cp` does for large copies. */
export const uploadPartCopy = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { store } = context;
  const { request, bucket, key } = call;
  const uploadId = request.query.uploadId ?? "";
  const partNumber = parsePartNumber(request.query.partNumber);
  store.upload(bucket, key, uploadId);
  const sourceRef = parseCopySource(request.header("x-amz-copy-source") ?? "");
  const source = store.getObject(sourceRef.bucket, sourceRef.key);
  if (!source) throw s3Errors.noSuchKey(sourceRef.key);
  checkSourceConditions(request, source);
  const range = parseCopyRange(request.header("x-amz-copy-source-range"), source.size);
  // Opened in the same tick as the lookup, so an overwrite of the source cannot remove it first.
  const input = store.blobs.openRead(source.blob, range.start, range.end);
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const blob = await store.blobs.write(body);
  const part: PartRecord = {
    partNumber,
    blob,
    size: body.length,
    etag: `"${md5Hex(body)}"`,
    lastModified: new Date(context.now()).toISOString(),
  };
  try {
    store.putPart(bucket, key, uploadId, part);
  } catch (error) {
    store.blobs.remove(blob);
    throw error;
  }
  return s3XmlResponse("CopyPartResult", {
    ETag: part.etag,
    LastModified: isoTime(part.lastModified),
  });
};
