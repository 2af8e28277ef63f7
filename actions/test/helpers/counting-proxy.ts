import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** Bytes of the request body: what the client sent (uploads). */
  bytesSent: number;
}

/**
 * A pass-through HTTP proxy on loopback that records every request: the request log that proves
 * what a push sent. The Host header is kept, so the registry builds upload URLs that point back
 * through the proxy.
 */
export interface CountingProxy {
  host: string;
  requests: LoggedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const [targetHost, targetPort] = target.split(":");
  const requests: LoggedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    let bytesSent = 0;
    incoming.on("data", (chunk: Buffer) => {
      bytesSent += chunk.length;
    });
    const upstream = httpRequest(
      {
        host: targetHost,
        port: Number(targetPort),
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        requests.push({
          method: incoming.method ?? "",
          path: incoming.url ?? "",
          status: response.statusCode ?? 0,
          bytesSent,
        });
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on("error", (error) => {
      outgoing.writeHead(502);
      outgoing.end(String(error));
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    reset: () => {
      requests.length = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Summarises a request log: blob uploads started, blob PUTs, manifest PUTs, mounts. */
export function countPushRequests(requests: LoggedRequest[]) {
  const uploadsStarted = requests.filter(
    (r) =>
      r.method === "POST" && /\/blobs\/uploads\/(\?|$)/.test(r.path) && !r.path.includes("mount="),
  ).length;
  return {
    uploadsStarted,
    blobPuts: requests.filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/"))
      .length,
    manifestPuts: requests.filter((r) => r.method === "PUT" && r.path.includes("/manifests/"))
      .length,
    mounts: requests.filter((r) => r.method === "POST" && r.path.includes("mount=")).length,
    heads: requests.filter((r) => r.method === "HEAD").length,
    bytesSent: requests.reduce((total, r) => total + r.bytesSent, 0),
  };
}
