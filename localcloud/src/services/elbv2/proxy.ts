import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { RequestOutcome } from "./metrics";
import type { Action, Listener } from "./model";

/** What a listener needs from its load balancer to route one request. */
export interface ListenerRouting {
  /** The action for a request (rules matched by path and host). */
  actionFor(listener: Listener, path: string, host: string): Action | undefined;
  /** Picks the target for a forward action, or undefined when the groups have none. */
  pickTarget(
    action: Action,
  ): { targetGroupArn: string; ip: string; port: number; release(): void } | undefined;
  /** Counts the request for the request log. */
  log(entry: { operation: string; path: string; status: number; latencyMs: number }): void;
  /** Publishes the request's CloudWatch metrics (forwarded requests and the load balancer's 5xx). */
  observe(listener: Listener, outcome: RequestOutcome): void;
}

/** Hop-by-hop headers a proxy must not forward. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

/**
 * A listener: a real HTTP proxy on the load balancer's loopback address that forwards to the
 * chosen target, as an ALB does (X-Forwarded-* headers, 502 when the target fails, 503 when there
 * is no target, 504 on timeout).
 */
export class ListenerProxy {
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly listener: Listener,
    private readonly routing: ListenerRouting,
    private readonly idleTimeoutMs = 60_000,
  ) {}

  async listen(address: string): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(this.listener.Port, address, () => resolve());
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://alb");
    const host = req.headers.host ?? "";
    const action = this.routing.actionFor(this.listener, url.pathname, host);
    const done = (status: number, operation: string) =>
      this.routing.log({
        operation,
        path: url.pathname,
        status,
        latencyMs: Math.round(performance.now() - started),
      });

    if (!action) {
      this.fixed(res, 404, "Not Found", () => done(404, "NoRule"));
      return;
    }
    if (action.Type === "fixed-response" && action.FixedResponseConfig) {
      const config = action.FixedResponseConfig;
      const status = Number(config.StatusCode);
      res.writeHead(status, { "content-type": config.ContentType ?? "text/plain" });
      res.end(config.MessageBody ?? "");
      done(status, "FixedResponse");
      return;
    }
    this.forward(req, res, action, url, done, false);
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    action: Action,
    url: URL,
    done: (status: number, operation: string) => void,
    isRetry: boolean,
    body?: Buffer,
  ): void {
    const target = this.routing.pickTarget(action);
    if (!target) {
      this.fixed(res, 503, "503 Service Temporarily Unavailable", () => done(503, "NoTarget"));
      this.routing.observe(this.listener, { kind: "no-target", status: 503 });
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const clientIp = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "";
    const prior = req.headers["x-forwarded-for"];
    headers["x-forwarded-for"] = prior ? `${prior}, ${clientIp}` : clientIp;
    headers["x-forwarded-proto"] = "http";
    headers["x-forwarded-port"] = String(this.listener.Port);
    headers["x-amzn-trace-id"] ??=
      `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${Math.random().toString(16).slice(2, 14).padEnd(24, "0")}`;

    // TargetResponseTime: from the request leaving the load balancer to the target's response headers.
    const sent = performance.now();
    const upstream = httpRequest({
      host: target.ip,
      port: target.port,
      method: req.method,
      path: url.pathname + url.search,
      headers,
      agent: this.agent,
      timeout: this.idleTimeoutMs,
    });
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        target.release();
      }
    };
    upstream.on("response", (response) => {
      const status = response.statusCode ?? 502;
      this.routing.observe(this.listener, {
        kind: "target",
        targetGroupArn: target.targetGroupArn,
        status,
        targetSeconds: (performance.now() - sent) / 1000,
      });
      const outHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
      }
      res.writeHead(status, outHeaders);
      response.pipe(res);
      response.on("end", () => {
        finish();
        done(status, "Forward");
      });
      response.on("error", () => {
        finish();
        res.destroy();
      });
    });
    upstream.on("timeout", () => upstream.destroy(new Error("upstream timeout")));
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      finish();
      if (res.headersSent) return res.destroy();
      // A keep-alive socket the target closed while we picked it: retry once on a fresh one,
      // as HTTP clients do for a reused connection (nothing reached the target).
      if (
        !isRetry &&
        (upstream as { reusedSocket?: boolean }).reusedSocket &&
        error.code === "ECONNRESET"
      ) {
        return this.forward(req, res, action, url, done, true, body);
      }
      const timeout = error.message === "upstream timeout";
      this.routing.observe(this.listener, {
        kind: "target-failed",
        targetGroupArn: target.targetGroupArn,
        status: timeout ? 504 : 502,
      });
      this.fixed(
        res,
        timeout ? 504 : 502,
        timeout ? "504 Gateway Time-out" : "502 Bad Gateway",
        () => done(timeout ? 504 : 502, "TargetError"),
      );
    });
    if (body) {
      upstream.end(body);
      return;
    }
    // Keep the body so that a retry can resend it.
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const buffered = Buffer.concat(chunks);
      body = buffered;
      upstream.end(buffered);
    });
  }

  private fixed(res: ServerResponse, status: number, text: string, after: () => void): void {
    res.writeHead(status, { "content-type": "text/html", server: "awselb/2.0" });
    res.end(`<html><body><center><h1>${text}</h1></center></body></html>`);
    after();
  }
}
