import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { FaultInjector } from "../../server/faults";
import type { RequestLog } from "../../server/request-log";
import type { ImageStore } from "./image-store";
import type { PasswordBook } from "./passwords";
import { BlobHandlers } from "./registry-blobs";
import type { RegistryCall, RegistryReply } from "./registry-call";
import { OciError, toOciError } from "./registry-errors";
import { ManifestHandlers } from "./registry-manifests";
import { type Route, route } from "./registry-routes";

export interface RegistryServerOptions {
  store: ImageStore;
  passwords: PasswordBook;
  requestLog: RequestLog;
  faults: FaultInjector;
  now: () => number;
}

/** The name of the registry in the request log and in fault rules. */
export const REGISTRY_SERVICE = "registry";

/**
 * ECR's registry: the OCI Distribution API on its own loopback port, over the image store the
 * ECR API uses. Every call needs Basic auth as `AWS` with a GetAuthorizationToken password.
 */
export class RegistryServer {
  private server: Server | undefined;
  private readonly blobs: BlobHandlers;
  private readonly manifests: ManifestHandlers;

  constructor(private readonly options: RegistryServerOptions) {
    this.blobs = new BlobHandlers(options.store, options.now);
    this.manifests = new ManifestHandlers(options.store);
  }

  /** Listens on `port`; when it is taken, on any free port. Returns the port. */
  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        console.error("localcloud registry: unhandled error", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(new OciError(500, "UNKNOWN", "internal error").body());
      });
    });
    server.keepAliveTimeout = 30_000;
    this.server = server;
    const bind = (p: number) =>
      new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(p, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    try {
      await bind(port);
    } catch (error) {
      if (port === 0 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      await bind(0);
    }
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://registry");
    const found = route(req.method ?? "GET", url.pathname, url, {
      headBlob: this.blobs.headBlob,
      getBlob: this.blobs.getBlob,
      startUpload: this.blobs.startUpload,
      patchUpload: this.blobs.patchUpload,
      completeUpload: this.blobs.completeUpload,
      uploadStatus: this.blobs.uploadStatus,
      cancelUpload: this.blobs.cancelUpload,
      headManifest: this.manifests.headManifest,
      getManifest: this.manifests.getManifest,
      putManifest: this.manifests.putManifest,
      deleteManifest: this.manifests.deleteManifest,
      listTags: this.manifests.listTags,
    });
    const call: RegistryCall = {
      req,
      url,
      repository: found.repository,
      target: found.target,
      origin: `http://${req.headers.host ?? "127.0.0.1"}`,
      bytesIn: 0,
    };
    let reply: RegistryReply;
    let errorCode: string | undefined;
    let fault: string | undefined;
    try {
      this.authenticate(req);
      fault = await this.injectFault(found.operation, req);
      if (fault === "reset") {
        this.log(found, req, call, 0, 0, started, fault);
        req.socket.destroy();
        return;
      }
      reply = await this.handle(found, call);
    } catch (error) {
      const oci = toOciError(error);
      if (!oci) throw error;
      errorCode = oci.code;
      const body = req.method === "HEAD" ? undefined : oci.body();
      reply = {
        status: oci.status,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(oci.body()),
          ...oci.headers,
        },
        ...(body === undefined ? {} : { body }),
      };
    }
    const bytesOut = await send(res, reply);
    this.log(found, req, call, reply.status, bytesOut, started, fault, errorCode);
  }

  private async handle(found: Route, call: RegistryCall): Promise<RegistryReply> {
    if (found.operation === "CheckApi") {
      return {
        status: 200,
        headers: {
          "content-type": "application/json",
          "docker-distribution-api-version": "registry/2.0",
        },
        body: "{}",
      };
    }
    if (!found.handler) {
      throw new OciError(
        found.operation === "Unknown" && !call.repository ? 404 : 405,
        "UNSUPPORTED",
        `The operation is unsupported: ${call.req.method} ${call.url.pathname}`,
      );
    }
    return found.handler(call);
  }

  /** ECR's Basic auth: user AWS, a password from GetAuthorizationToken that has not expired. */
  private authenticate(req: IncomingMessage): void {
    const challenge = {
      "www-authenticate": `Basic realm="http://${req.headers.host ?? "127.0.0.1"}/",service="ecr.amazonaws.com"`,
    };
    const header = req.headers.authorization ?? "";
    const encoded = /^Basic\s+(\S+)$/i.exec(header)?.[1];
    if (!encoded) {
      throw new OciError(401, "UNAUTHORIZED", "authentication required", undefined, challenge);
    }
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const check =
      colon < 0
        ? "unknown"
        : this.options.passwords.check(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (check === "expired") {
      // ECR answers an expired token with 403 DENIED and no challenge, not with a 401.
      throw new OciError(
        403,
        "DENIED",
        "Your authorization token has expired. Reauthenticate and try again.",
      );
    }
    if (check !== "valid") {
      throw new OciError(401, "UNAUTHORIZED", "authentication required", undefined, challenge);
    }
  }

  /** Faults configured for service "registry"; returns the kind applied, if any. */
  private async injectFault(operation: string, req: IncomingMessage): Promise<string | undefined> {
    let applied: string | undefined;
    for (const decision of this.options.faults.decide(REGISTRY_SERVICE, operation)) {
      if (decision.kind === "latency") await sleep(decision.latencyMs);
      if (decision.kind === "reset") return "reset";
      if (decision.kind === "throttle") {
        throw new OciError(429, "TOOMANYREQUESTS", "Rate exceeded");
      }
      if (decision.kind === "error") {
        throw new OciError(
          decision.status,
          "UNKNOWN",
          `injected ${decision.status} for ${req.method} ${req.url}`,
        );
      }
      applied = decision.kind;
    }
    return applied;
  }

  private log(
    found: Route,
    req: IncomingMessage,
    call: RegistryCall,
    status: number,
    bytesOut: number,
    started: number,
    fault?: string,
    errorCode?: string,
  ): void {
    this.options.requestLog.record({
      service: REGISTRY_SERVICE,
      operation: found.operation,
      method: req.method ?? "GET",
      path: call.url.pathname,
      status,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      bytesIn: call.bytesIn,
      bytesOut,
      ...(fault ? { fault } : {}),
      ...(errorCode ? { errorCode } : {}),
    });
  }
}

const send = async (res: ServerResponse, reply: RegistryReply): Promise<number> => {
  const headers: Record<string, string | number> = {
    "docker-distribution-api-version": "registry/2.0",
    ...reply.headers,
  };
  const body = reply.body;
  if (body instanceof Readable) {
    res.writeHead(reply.status, headers);
    let bytes = 0;
    body.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    await new Promise<void>((resolve, reject) => {
      body.once("error", reject);
      res.once("close", resolve);
      body.pipe(res);
    });
    return bytes;
  }
  const buffer = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  if (!("content-length" in headers)) headers["content-length"] = buffer.length;
  res.writeHead(reply.status, headers);
  res.end(buffer);
  return buffer.length;
};
