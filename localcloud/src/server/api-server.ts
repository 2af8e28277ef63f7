import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalcloudService, ServiceContext } from "../services/service";
import {
  type AwsRequest,
  type AwsResponse,
  firstHeader,
  parseQuery,
  readBody,
} from "./aws-request";
import { handleControl } from "./control";
import { controlRefusal } from "./control-guard";
import { AwsError, accessDenied, internalFailure, toAwsError } from "./errors";
import { protocolOfUnsigned, serializeError } from "./protocols";
import { parseAuthorization, verifySignature } from "./sigv4-verify";

/**
 * The one endpoint for every AWS API: it reads the call, verifies its SigV4 signature, routes it
 * to the service named by the credential scope, applies injected faults, and logs it.
 */
export class ApiServer {
  private server: Server | undefined;
  private readonly bySigningName = new Map<string, LocalcloudService>();

  constructor(
    private readonly context: ServiceContext,
    services: LocalcloudService[],
  ) {
    for (const service of services) this.bySigningName.set(service.signingName, service);
  }

  async listen(host: string, port: number): Promise<string> {
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        // A bug in a handler: answer 500 rather than leaving the client hanging.
        console.error("localcloud: unhandled error", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error");
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/_localcloud/")) {
      const refusal = controlRefusal(req.headers, this.context.host);
      if (refusal) {
        res.writeHead(403, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `localcloud control endpoint: ${refusal}` }));
        return;
      }
      await handleControl(this.context, req, res, url);
      return;
    }
    const body = await readBody(req);
    const requestId = randomUUID();
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    const queryAll = parseQuery(url.search);
    const scope = parseAuthorization(
      firstHeader(req.headers, "authorization"),
      firstHeader(req.headers, "x-amz-region-set"),
    );
    const service = scope ? this.bySigningName.get(scope.signingName) : undefined;
    const header = (name: string) => firstHeader(req.headers, name);
    const protocol =
      service?.protocolOf?.({ header }) ??
      service?.protocol ??
      protocolOfUnsigned({
        header,
        query: Object.fromEntries(Object.entries(queryAll).map(([k, v]) => [k, v[0] ?? ""])),
        path: rawPath,
        body,
      });

    let operation = "Unknown";
    let response: AwsResponse;
    let fault: string | undefined;
    let errorCode: string | undefined;
    try {
      if (!scope) {
        // S3 treats an unsigned request as anonymous, which a private bucket denies.
        throw protocol === "rest-xml-s3"
          ? new AwsError("AccessDenied", "Access Denied", 403)
          : new AwsError(
              "MissingAuthenticationToken",
              "Request is missing Authentication Token",
              403,
            );
      }
      if (!service) {
        throw new AwsError("UnknownService", `localcloud does not emulate "${scope.signingName}"`);
      }
      const request: AwsRequest = {
        method: req.method ?? "GET",
        rawPath,
        path: safeDecode(rawPath),
        query: Object.fromEntries(
          Object.entries(queryAll).map(([k, v]) => [k, v[v.length - 1] ?? ""]),
        ),
        queryAll,
        headers: req.headers,
        body,
        signingName: scope.signingName,
        region: scope.region,
        accessKeyId: scope.accessKeyId,
        requestId,
        header: (name) => firstHeader(req.headers, name),
      };
      operation = service.operationOf(request);
      await this.authenticate(request, scope, protocol);

      for (const decision of this.context.faults.decide(service.name, operation)) {
        if (decision.kind === "latency") await sleep(decision.latencyMs);
        if (decision.kind === "reset") {
          fault = "reset";
          this.log(service.name, operation, req, 0, started, body.length, 0, fault);
          req.socket.destroy();
          return;
        }
        if (decision.kind === "throttle") {
          fault = "throttle";
          throw toAwsError(service.throttlingError);
        }
        if (decision.kind === "deny") {
          fault = "deny";
          throw accessDenied({
            protocol,
            accountId: this.context.accountId,
            // The emulated services' signing names are their IAM action prefixes too.
            action: `${service.signingName}:${operation}`,
          });
        }
        if (decision.kind === "error") {
          fault = "error";
          throw new AwsError(
            decision.status === 503 ? "ServiceUnavailable" : "InternalError",
            "We encountered an internal error. Please try again.",
            decision.status,
          );
        }
      }
      response = await service.handle(request, operation);
    } catch (caught) {
      if (!(caught instanceof AwsError)) {
        console.error(`localcloud: ${service?.name ?? "?"} ${operation} failed`, caught);
      }
      const error = caught instanceof AwsError ? caught : internalFailure(protocol);
      errorCode = error.code;
      response = serializeError(protocol, error, requestId, service?.xmlns);
    }
    const bytesOut = await this.send(res, response, requestId);
    this.log(
      service?.name ?? scope?.signingName ?? "unknown",
      operation,
      req,
      response.status,
      started,
      body.length,
      bytesOut,
      fault,
      errorCode,
    );
  }

  private async authenticate(
    request: AwsRequest,
    scope: NonNullable<ReturnType<typeof parseAuthorization>>,
    protocol: string,
  ): Promise<void> {
    const credentials = this.context.credentials.get(scope.accessKeyId);
    const s3 = protocol === "rest-xml-s3";
    const json = protocol === "json" || protocol === "rest-json";
    if (!credentials) {
      if (s3) {
        throw new AwsError(
          "InvalidAccessKeyId",
          "The AWS Access Key Id you provided does not exist in our records.",
          403,
        );
      }
      throw new AwsError(
        json ? "UnrecognizedClientException" : "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
      );
    }
    const valid = await verifySignature({
      scope,
      method: request.method,
      rawPath: request.rawPath,
      query: request.queryAll,
      headers: request.headers,
      body: request.body,
      credentials,
    });
    if (!valid) {
      throw new AwsError(
        json ? "InvalidSignatureException" : "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
        403,
      );
    }
  }

  private async send(
    res: ServerResponse,
    response: AwsResponse,
    requestId: string,
  ): Promise<number> {
    const headers = { "x-amzn-requestid": requestId, ...response.headers };
    const body = response.body;
    if (body instanceof Readable) {
      res.writeHead(response.status, headers);
      let bytes = 0;
      body.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      await new Promise<void>((resolve, reject) => {
        body.pipe(res);
        body.once("error", reject);
        res.once("finish", resolve);
        res.once("close", resolve);
      });
      return bytes;
    }
    const buffer = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    if (!("content-length" in headers)) {
      (headers as Record<string, unknown>)["content-length"] = buffer.length;
    }
    res.writeHead(response.status, headers);
    res.end(buffer);
    return buffer.length;
  }

  private log(
    service: string,
    operation: string,
    req: IncomingMessage,
    status: number,
    started: number,
    bytesIn: number,
    bytesOut: number,
    fault?: string,
    errorCode?: string,
  ): void {
    this.context.requestLog.record({
      service,
      operation,
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0] ?? "/",
      status,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      bytesIn,
      bytesOut,
      ...(fault ? { fault } : {}),
      ...(errorCode ? { errorCode } : {}),
    });
  }
}

const safeDecode = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};
