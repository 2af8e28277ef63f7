import { Readable } from "node:stream";
import type { OriginRequest, OriginResponse } from "./origin-response";

/** What the edge needs from localcloud's S3: one object read, in-process. */
export interface S3ObjectReader {
  readObject(
    bucket: string,
    key: string,
  ): Promise<S3ObjectRead | undefined> | S3ObjectRead | undefined;
  /**
   * Whether the bucket's policy lets this distribution read the key, as S3 decides for a
   * CloudFront Origin Access Control. A reader without policies lets every read through.
   * `secureTransport`: whether the read stands for one over HTTPS (CloudFront reads an S3 origin
   * with the protocol the viewer used).
   */
  distributionMayRead?(
    bucket: string,
    key: string,
    distributionArn: string,
    secureTransport: boolean,
  ): boolean;
}

export interface S3ObjectRead {
  body: Buffer | Uint8Array | Readable | string;
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  etag: string;
  lastModified: Date | string | number;
  size: number;
  metadata?: Record<string, string>;
}

/**
 * Reads `originPath + path` from the bucket as S3 answers CloudFront through an Origin Access
 * Control: a missing key is 403 AccessDenied (the OAC may not list the bucket), not 404, and so
 * is a key the bucket policy does not let the distribution read.
 */
export const fetchFromS3 = async (
  s3: S3ObjectReader,
  bucket: string,
  originPath: string,
  request: OriginRequest,
  distributionArn: string,
  secureTransport: boolean,
): Promise<OriginResponse> => {
  const key = `${originPath}${safeDecode(request.rawPath)}`.replace(/^\//, "");
  const allowed =
    key !== "" && (s3.distributionMayRead?.(bucket, key, distributionArn, secureTransport) ?? true);
  const object = allowed ? await s3.readObject(bucket, key) : undefined;
  if (!object) return accessDenied();
  const etag = quoted(object.etag);
  const lastModified = new Date(object.lastModified).toUTCString();
  const headers: Record<string, string> = {
    "content-type": object.contentType ?? "binary/octet-stream",
    etag,
    "last-modified": lastModified,
    "accept-ranges": "bytes",
    server: "AmazonS3",
  };
  if (object.cacheControl) headers["cache-control"] = object.cacheControl;
  if (object.contentEncoding) headers["content-encoding"] = object.contentEncoding;
  for (const [name, value] of Object.entries(object.metadata ?? {})) {
    headers[`x-amz-meta-${name.toLowerCase()}`] = value;
  }
  if (request.ifNoneMatch !== undefined && request.ifNoneMatch === etag) {
    return { status: 304, headers, body: Buffer.alloc(0) };
  }
  return { status: 200, headers, body: await toBuffer(object.body) };
};

const accessDenied = (): OriginResponse => ({
  status: 403,
  headers: { "content-type": "application/xml", server: "AmazonS3" },
  body: Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
  ),
});

const quoted = (etag: string): string => (/^(W\/)?"/.test(etag) ? etag : `"${etag}"`);

const toBuffer = async (body: S3ObjectRead["body"]): Promise<Buffer> => {
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  return Buffer.from(body);
};

const safeDecode = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};
