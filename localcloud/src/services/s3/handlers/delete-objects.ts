import type { AwsResponse } from "../../../server/aws-request";
import { AwsError } from "../../../server/errors";
import { headerNameOf } from "../checksums";
import type { S3Call, S3Context } from "../context";
import { s3Errors } from "../errors";
import { CHECKSUM_ALGORITHMS } from "../model";
import { readObjectBody } from "../request-body";
import { parseXmlBody, s3XmlResponse } from "../xml";

const MAX_OBJECTS = 1000;

/**
 * DeleteObjects: up to 1,000 keys, each deleted on its own (a missing key counts as deleted; a
 * failed `<ETag>` condition is a per-key error). S3 insists on an integrity header: Content-MD5
 * or an `x-amz-checksum-*` (the SDK v3 sends CRC32, the AWS CLI Content-MD5).
 */
export const deleteObjects = async (context: S3Context, call: S3Call): Promise<AwsResponse> => {
  const { request, bucket } = call;
  context.store.bucket(bucket);
  const hasIntegrity =
    request.header("content-md5") !== undefined ||
    CHECKSUM_ALGORITHMS.some(
      (algorithm) => request.header(headerNameOf(algorithm)) !== undefined,
    ) ||
    request.header("x-amz-trailer")?.startsWith("x-amz-checksum-") === true;
  if (!hasIntegrity)
    throw s3Errors.invalidRequest("Missing required header for this request: Content-MD5");
  const { body } = readObjectBody(request);
  const document = parseXmlBody(body, "Delete");
  const objects = (document.Object as Array<Record<string, unknown>> | undefined) ?? [];
  if (objects.length === 0 || objects.length > MAX_OBJECTS) throw s3Errors.malformedXml();
  const quiet = String(document.Quiet ?? "false").trim() === "true";

  const deleted: Array<{ Key: string }> = [];
  const errors: Array<{ Key: string; Code: string; Message: string }> = [];
  for (const entry of objects) {
    const key = typeof entry.Key === "string" ? entry.Key : undefined;
    if (key === undefined || key === "") throw s3Errors.malformedXml();
    const etag = typeof entry.ETag === "string" ? entry.ETag : undefined;
    try {
      context.store.deleteObject(bucket, key, etag);
      deleted.push({ Key: key });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      errors.push({ Key: key, Code: error.code, Message: error.message });
    }
  }
  return s3XmlResponse("DeleteResult", {
    Deleted: quiet ? [] : deleted,
    Error: errors,
  });
};
