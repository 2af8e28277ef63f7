import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { crc32c } from "@aws-crypto/crc32c";
import { s3Errors } from "./errors";
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type ChecksumRecord } from "./model";

const uint32Base64 = (value: number): string => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString("base64");
};

/**
 * Computes a checksum as S3 encodes it (base64 of the big-endian digest). CRC64NVME has no
 * maintained JS implementation outside the SDK's internals, so it is accepted unverified.
 */
export const computeChecksum = (algorithm: ChecksumAlgorithm, body: Buffer): string | undefined => {
  switch (algorithm) {
    case "CRC32":
      return uint32Base64(crc32(body));
    case "CRC32C":
      return uint32Base64(crc32c(body));
    case "SHA1":
      return createHash("sha1").update(body).digest("base64");
    case "SHA256":
      return createHash("sha256").update(body).digest("base64");
    case "CRC64NVME":
      return undefined;
  }
};

export const headerNameOf = (algorithm: ChecksumAlgorithm): string =>
  `x-amz-checksum-${algorithm.toLowerCase()}`;

export const parseAlgorithm = (value: string | undefined): ChecksumAlgorithm | undefined => {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(upper)) {
    throw s3Errors.invalidRequest(`Value for x-amz-checksum-algorithm header is invalid.`);
  }
  return upper as ChecksumAlgorithm;
};

/**
 * Finds the `x-amz-checksum-<alg>` a client sent (as a header or an aws-chunked trailer), checks
 * it against the body, and returns it for storing and echoing. A wrong value is BadDigest.
 */
export const verifyChecksum = (
  headers: (name: string) => string | undefined,
  body: Buffer,
): ChecksumRecord | undefined => {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const sent = headers(headerNameOf(algorithm));
    if (sent === undefined) continue;
    const computed = computeChecksum(algorithm, body);
    if (computed !== undefined && computed !== sent) {
      throw s3Errors.badDigest(
        `The ${algorithm} you specified did not match the calculated checksum.`,
      );
    }
    return { algorithm, value: sent, type: "FULL_OBJECT" };
  }
  return undefined;
};

/** Checks Content-MD5 when the client sent one (InvalidDigest / BadDigest as S3 answers). */
export const verifyContentMd5 = (sent: string | undefined, body: Buffer): void => {
  if (sent === undefined) return;
  if (Buffer.from(sent, "base64").length !== 16) throw s3Errors.invalidDigest();
  const computed = createHash("md5").update(body).digest("base64");
  if (computed !== sent) {
    throw s3Errors.badDigest("The Content-MD5 you specified did not match what we received.");
  }
};

export const md5Hex = (body: Buffer): string => createHash("md5").update(body).digest("hex");
