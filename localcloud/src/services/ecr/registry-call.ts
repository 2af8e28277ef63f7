import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

/** One authenticated registry request, routed to a repository and a target. */
export interface RegistryCall {
  req: IncomingMessage;
  url: URL;
  repository: string;
  /** The digest, tag or upload id the path names (empty when it names none). */
  target: string;
  /** `http://host:port` as the client reached the registry, for absolute Location headers. */
  origin: string;
  /** Request body bytes a handler consumed (for the request log). */
  bytesIn: number;
}

export interface RegistryReply {
  status: number;
  headers?: Record<string, string | number>;
  body?: Buffer | string | Readable;
}

export type RegistryHandler = (call: RegistryCall) => Promise<RegistryReply>;

export const readAll = async (call: RegistryCall, limit: number): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of call.req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  call.bytesIn += size;
  return Buffer.concat(chunks);
};
