import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";

/** What an origin answered: a whole body (S3, read in-process) or a stream (HTTP origins). */
export interface OriginResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | Readable;
}

/** A request the edge sends to an origin. */
export interface OriginRequest {
  method: string;
  /** The viewer's path, still percent-encoded (the origin path is prefixed by the origin). */
  rawPath: string;
  /** `?a=b` or "". */
  rawQuery: string;
  /** Headers to forward (HTTP origins only; S3 origins read objects directly). */
  headers: IncomingHttpHeaders;
  /** The viewer's body, for methods that have one. */
  body?: Readable;
  /** Validators of a stale cached copy, to revalidate it. */
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}
