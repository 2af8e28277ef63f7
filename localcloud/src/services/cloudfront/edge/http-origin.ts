import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { OriginRequest, OriginResponse } from "./origin-response";

/** Headers that describe one connection and are never forwarded by a proxy (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

export class OriginUnreachableError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/**
 * Proxies a request to a plain-HTTP custom origin and resolves with its response head; the body
 * is left as a stream so large or slow responses pass through without buffering. `forwardHost`:
 * the behaviour's origin request policy includes the viewer's Host, which the origin then sees.
 */
export const fetchFromHttp = (
  origin: { host: string; port: number; originPath: string; readTimeoutMs: number },
  request: OriginRequest,
  forwardHost = false,
): Promise<OriginResponse> =>
  new Promise((resolve, reject) => {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name) && name !== "host") headers[name] = value;
    }
    const viewerHost = forwardHost ? request.headers.host : undefined;
    headers.host =
      viewerHost ?? (origin.port === 80 ? origin.host : `${origin.host}:${origin.port}`);
    if (request.ifNoneMatch !== undefined) headers["if-none-match"] = request.ifNoneMatch;
    if (request.ifModifiedSince !== undefined) {
      headers["if-modified-since"] = request.ifModifiedSince;
    }
    const outgoing = httpRequest(
      {
        host: origin.host,
        port: origin.port,
        method: request.method,
        path: `${origin.originPath}${request.rawPath}${request.rawQuery}`,
        headers,
      },
      (response) => {
        response.setTimeout(0);
        resolve({
          status: response.statusCode ?? 502,
          headers: response.headers as Record<string, string | string[]>,
          body: response,
        });
      },
    );
    outgoing.setTimeout(origin.readTimeoutMs, () => {
      outgoing.destroy(new OriginUnreachableError("origin read timeout", true));
    });
    outgoing.once("error", (error) =>
      reject(
        error instanceof OriginUnreachableError
          ? error
          : new OriginUnreachableError(error.message, false),
      ),
    );
    if (request.body) request.body.pipe(outgoing);
    else outgoing.end();
  });
