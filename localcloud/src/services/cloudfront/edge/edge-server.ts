import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Edge } from "./edge";

/** A distribution's own loopback HTTP server (its "domain name"). */
export class EdgeServer {
  private server: Server | undefined;

  constructor(private readonly edge: Edge) {}

  /** Listens on `preferredPort` when it is free, else on a free port; returns the port. */
  async listen(host: string, preferredPort: number): Promise<number> {
    try {
      return await this.listenOn(host, preferredPort);
    } catch (error) {
      if (preferredPort === 0 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") {
        throw error;
      }
      return this.listenOn(host, 0);
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listenOn(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.edge.handle(req, res).catch((error: unknown) => {
        console.error("localcloud edge: unhandled error", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end();
      });
    });
    server.keepAliveTimeout = 30_000;
    return new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        this.server = server;
        resolve((server.address() as AddressInfo).port);
      });
    });
  }
}
