import type { FaultInjector } from "../../../server/faults";
import type { RequestLog } from "../../../server/request-log";
import type { EdgeConfig } from "../distribution-config";
import { EdgeCache } from "./cache";
import { Edge } from "./edge";
import { EdgeServer } from "./edge-server";
import type { S3ObjectReader } from "./s3-origin";
import type { RunViewerFunction } from "./viewer-functions";

export interface EdgeFleetDependencies {
  host: string;
  s3(): S3ObjectReader;
  distributionArn(distributionId: string): string;
  requestLog: RequestLog;
  faults: FaultInjector;
  defaultErrorCachingMinTtl(): number;
  /** Completes a distribution's due invalidations (they purge through `purge`). */
  settle(distributionId: string): void;
  /** Runs an associated CloudFront Function's LIVE stage. */
  runFunction: RunViewerFunction;
}

interface RunningEdge {
  config: EdgeConfig;
  cache: EdgeCache;
  server: EdgeServer;
}

/** The running edges, one server and one cache per distribution. */
export class EdgeFleet {
  private readonly edges = new Map<string, RunningEdge>();

  constructor(private readonly deps: EdgeFleetDependencies) {}

  /** Starts a distribution's edge on `preferredPort` (or a free one); returns the port. */
  async start(distributionId: string, config: EdgeConfig, preferredPort: number): Promise<number> {
    const cache = new EdgeCache();
    let port = 0;
    const edge = new Edge({
      domainName: () => `${this.deps.host}:${port}`,
      config: () => this.edges.get(distributionId)?.config,
      settle: () => this.deps.settle(distributionId),
      cache,
      s3: this.deps.s3,
      distributionArn: this.deps.distributionArn(distributionId),
      requestLog: this.deps.requestLog,
      faults: this.deps.faults,
      defaultErrorCachingMinTtl: this.deps.defaultErrorCachingMinTtl,
      distributionId,
      runFunction: this.deps.runFunction,
    });
    const server = new EdgeServer(edge);
    port = await server.listen(this.deps.host, preferredPort);
    this.edges.set(distributionId, { config, cache, server });
    return port;
  }

  /** Applies an updated config at once (the cache is kept, as CloudFront keeps it). */
  reconfigure(distributionId: string, config: EdgeConfig): void {
    const edge = this.edges.get(distributionId);
    if (edge) edge.config = config;
  }

  purge(distributionId: string, paths: string[]): void {
    this.edges.get(distributionId)?.cache.purge(paths);
  }

  async stop(distributionId: string): Promise<void> {
    await this.edges.get(distributionId)?.server.close();
    this.edges.delete(distributionId);
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.edges.keys()]) await this.stop(id);
  }
}
