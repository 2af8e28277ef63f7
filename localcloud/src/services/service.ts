import type { Credentials } from "../config";
import type { AwsRequest, AwsResponse } from "../server/aws-request";
import type { AwsErrorShape } from "../server/errors";
import type { FaultInjector } from "../server/faults";
import type { Protocol } from "../server/protocols";
import type { RequestLog } from "../server/request-log";

/** What every emulated service gets from the cloud it runs in. */
export interface ServiceContext {
  /** The service's own folder for persistent state (created before start). */
  stateDir: string;
  accountId: string;
  region: string;
  /** Interface that extra servers (registry, edge, load balancers) listen on. */
  host: string;
  requestLog: RequestLog;
  faults: FaultInjector;
  /** Known access keys → credentials (STS adds temporary ones). */
  credentials: Map<string, Credentials>;
  /**
   * Multiplies every wait the emulation makes on its own (health-check intervals, deregistration
   * delays, invalidation times): 1 is AWS's pace, 0.1 runs ten times faster for tests and demos
   * while the API keeps reporting the configured values.
   */
  timeScale: number;
  /**
   * The bridge and subnet ECS tasks get their addresses from. Two localclouds running at once on
   * one machine need different ones.
   */
  taskNetwork: { bridge: string; subnet: string };
  /** The public URL of the AWS API endpoint, once listening. */
  apiEndpoint(): string;
  /** Another service of the same cloud, by name (services depend on each other: edge → s3). */
  service<T extends LocalcloudService>(name: string): T;
}

/** One emulated AWS service behind the shared API endpoint. */
export interface LocalcloudService {
  /** Short name used in the request log and fault rules: s3, ecr, ecs, sts, cloudfront, … */
  readonly name: string;
  /** The SigV4 signing name that routes a request here. */
  readonly signingName: string;
  readonly protocol: Protocol;
  /** For a service that speaks more than one protocol (CloudWatch): the one a request uses. */
  protocolOf?(request: Pick<AwsRequest, "header">): Protocol;
  /** XML namespace used in Query/REST-XML error documents. */
  readonly xmlns?: string;
  /** The service's own throttling error (what fault injection returns for `throttle`). */
  readonly throttlingError: AwsErrorShape;
  /** Names the operation of a request before it is handled (for the log and for faults). */
  operationOf(request: AwsRequest): string;
  handle(request: AwsRequest, operation: string): Promise<AwsResponse>;
  /** Loads state and starts extra servers; called once before the API listens. */
  start?(): Promise<void>;
  /** Stops extra servers and flushes state. */
  stop?(): Promise<void>;
  /** Extra endpoints this service exposes (e.g. `registry`), reported by `startLocalcloud`. */
  endpoints?(): Record<string, string>;
}

/** Builds a named service for its context; the list of factories is the cloud's composition. */
export interface ServiceFactory {
  /** The service's name: its state folder, log and fault key. */
  name: string;
  create(context: ServiceContext): LocalcloudService;
}
