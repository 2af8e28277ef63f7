import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

/** One incoming AWS API call, fully read, with its identity resolved from the signature. */
export interface AwsRequest {
  method: string;
  /** The raw path as sent on the wire (still percent-encoded). */
  rawPath: string;
  /** The path with percent-encoding decoded. */
  path: string;
  /** Query parameters, decoded; a repeated key keeps its last value (see `queryAll`). */
  query: Record<string, string>;
  queryAll: Record<string, string[]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The signing name from the credential scope: s3, ecr, ecs, sts, cloudfront, … */
  signingName: string;
  region: string;
  accessKeyId: string;
  requestId: string;
  /** First value of a header, lower-cased name. */
  header(name: string): string | undefined;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string | number | string[]>;
  body?: Buffer | string | Readable;
}

/** Splits a query string the way AWS does: no `+`-as-space, percent-decoding only. */
export const parseQuery = (search: string): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const pair of search.replace(/^\?/, "").split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    const values = out[key] ?? [];
    values.push(value);
    out[key] = values;
  }
  return out;
};

export const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export const firstHeader = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};
