import { createHash } from "node:crypto";
import type { AwsRequest } from "../../server/aws-request";
import { decodeAwsChunked } from "./aws-chunked";
import { verifyChecksum, verifyContentMd5 } from "./checksums";
import { s3Errors } from "./errors";
import type { ChecksumRecord } from "./model";

export interface ObjectBody {
  body: Buffer;
  checksum?: ChecksumRecord;
}

/**
 * The payload of a PutObject / UploadPart, as S3 receives it: decoded from `aws-chunked` when
 * streamed, with its declared SHA-256, Content-MD5 and `x-amz-checksum-*` verified.
 */
export const readObjectBody = (request: AwsRequest): ObjectBody => {
  const contentSha256 = request.header("x-amz-content-sha256") ?? "";
  const encoding = request.header("content-encoding") ?? "";
  const chunked =
    contentSha256.startsWith("STREAMING-") || /(^|,)\s*aws-chunked\s*(,|$)/.test(encoding);
  let body = request.body;
  let trailers: Record<string, string> = {};
  if (chunked) {
    ({ body, trailers } = decodeAwsChunked(request.body));
    const declared = request.header("x-amz-decoded-content-length");
    if (declared !== undefined && Number(declared) !== body.length) throw s3Errors.incompleteBody();
  } else if (/^[0-9a-f]{64}$/.test(contentSha256)) {
    const computed = createHash("sha256").update(body).digest("hex");
    if (computed !== contentSha256) throw s3Errors.contentSha256Mismatch(contentSha256, computed);
  }
  verifyContentMd5(request.header("content-md5"), body);
  const checksum = verifyChecksum((name) => trailers[name] ?? request.header(name), body);
  return checksum ? { body, checksum } : { body };
};

/** Content-Encoding as stored: the transfer framing `aws-chunked` is not part of the object. */
export const storedContentEncoding = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const kept = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "" && part !== "aws-chunked");
  return kept.length > 0 ? kept.join(",") : undefined;
};
