import { s3Errors } from "./errors";

export interface DecodedChunks {
  body: Buffer;
  /** Trailing headers (lower-cased names), e.g. `x-amz-checksum-crc32`. */
  trailers: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");

/**
 * Decodes an `aws-chunked` body: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` repeated, a zero
 * chunk, then optional trailer lines. The request's header signature was verified by the API
 * server; the per-chunk and trailer signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)
 * are not checked here (a local stand-in trusts its signed headers and the chunk framing).
 */
export const decodeAwsChunked = (raw: Buffer): DecodedChunks => {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf(CRLF, offset);
    if (lineEnd < 0) throw s3Errors.incompleteBody();
    const header = raw.subarray(offset, lineEnd).toString("latin1");
    const size = Number.parseInt(header.split(";")[0] ?? "", 16);
    if (!Number.isFinite(size) || size < 0) throw s3Errors.incompleteBody();
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size > raw.length) throw s3Errors.incompleteBody();
    chunks.push(raw.subarray(offset, offset + size));
    offset += size;
    if (raw.subarray(offset, offset + 2).equals(CRLF)) offset += 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
};
