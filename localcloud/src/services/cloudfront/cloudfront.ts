import type { AwsRequest, AwsResponse } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import type { LocalcloudService, ServiceContext } from "../service";
import { checkAliasesFree } from "./alias-conflicts";
import type { EdgeConfig } from "./distribution-config";
import { readEdgeConfig } from "./distribution-config";
import {
  distributionArn,
  distributionDocument,
  distributionSummary,
  invalidationDocument,
  invalidationSummary,
  page,
  pagingOf,
  XMLNS,
  xml,
} from "./documents";
import { EdgeFleet } from "./edge/edge-fleet";
import type { S3ObjectReader } from "./edge/s3-origin";
import { type FunctionOutcome, runFunction } from "./functions/function-runtime";
import { FunctionStore, functionNameOf } from "./functions/function-store";
import { FunctionsApi } from "./functions/functions-api";
import { readerOf } from "./functions/kvs-reader";
import { newDistributionId, newETag, newInvalidationId } from "./ids";
import { checkInProgressLimits, samePaths, validatePaths } from "./invalidation-rules";
import { KeyValueStoresApi } from "./key-value-stores/kvs-api";
import { KeyValueStores } from "./key-value-stores/kvs-store";
import { API_VERSION, routeOf } from "./routes";
import { CloudFrontStore, type StoredDistribution, type StoredInvalidation } from "./store";
import { child, items, parseRoot, text } from "./xml";

export interface CloudFrontOptions {
  /** How long an invalidation stays InProgress before it completes and purges (ms, × timeScale). */
  invalidationDelayMs: number;
  /** How long a created or updated distribution stays InProgress before Deployed (ms, × timeScale). */
  deployDelayMs: number;
  /** ErrorCachingMinTTL for error codes without a CustomErrorResponse (s); CloudFront's is 10. */
  defaultErrorCachingMinTtl: number;
  /**
   * The time a CloudFront Function run may take (ms) before it is stopped: CloudFront's compute
   * limit, which TestFunction's ComputeUtilization is a percentage of.
   */
  functionTimeLimitMs: number;
}

/** The CloudFront emulation as other localcloud code and tests use it in-process. */
export interface CloudFrontService extends LocalcloudService {
  /** `http://127.0.0.1:<port>`: the distribution's edge (its DomainName is `127.0.0.1:<port>`). */
  edgeUrl(distributionId: string): string;
  /** Delay before invalidations created from now on complete (ms). */
  setInvalidationDelay(ms: number): void;
  /** Delay before distributions created or updated from now on are Deployed (ms). */
  setDeployDelay(ms: number): void;
  /** ErrorCachingMinTTL used when no CustomErrorResponse names the error code (s). */
  setDefaultErrorCachingMinTtl(seconds: number): void;
  /** The key value stores (the `cloudfront-keyvaluestore` data plane works on these). */
  keyValueStores(): KeyValueStores;
}

const NO_SUCH_DISTRIBUTION = () =>
  new AwsError("NoSuchDistribution", "The specified distribution does not exist.", 404);

/**
 * CloudFront (REST-XML, 2020-05-31): distributions and invalidations, persisted; each
 * distribution has a real edge server on loopback that the reported DomainName reaches.
 */
export class CloudFront implements CloudFrontService {
  readonly name = "cloudfront";
  readonly signingName = "cloudfront";
  readonly protocol = "rest-xml" as const;
  readonly xmlns = XMLNS;
  readonly throttlingError = { code: "Throttling", status: 400, message: "Rate exceeded" };

  private readonly store: CloudFrontStore;
  private readonly functions: FunctionStore;
  private readonly kvs: KeyValueStores;
  private readonly functionsApi: FunctionsApi;
  private readonly kvsApi: KeyValueStoresApi;
  private readonly edges: EdgeFleet;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly context: ServiceContext,
    private readonly options: CloudFrontOptions,
  ) {
    this.store = new CloudFrontStore(context.stateDir);
    this.functions = new FunctionStore(context.stateDir);
    this.kvs = new KeyValueStores(context.stateDir);
    this.functionsApi = new FunctionsApi({
      functions: this.functions,
      keyValueStores: this.kvs,
      accountId: context.accountId,
      apiEndpoint: () => context.apiEndpoint(),
      isAssociated: (arn) => this.distributionsUsing(arn),
      published: (arn) => this.redeployUsing(arn),
      timeLimitMs: () => this.options.functionTimeLimitMs,
    });
    this.kvsApi = new KeyValueStoresApi({
      stores: this.kvs,
      accountId: context.accountId,
      apiEndpoint: () => context.apiEndpoint(),
      isAssociated: (arn) =>
        this.functions
          .all()
          .some((fn) => [fn.development, fn.live].some((v) => v?.keyValueStoreArns.includes(arn))),
    });
    this.edges = new EdgeFleet({
      host: context.host,
      s3: () => context.service<LocalcloudService & S3ObjectReader>("s3"),
      distributionArn: (id) => distributionArn(context.accountId, id),
      requestLog: context.requestLog,
      faults: context.faults,
      defaultErrorCachingMinTtl: () => this.options.defaultErrorCachingMinTtl,
      settle: (id) => {
        const distribution = this.store.find(id);
        if (distribution) this.settle(distribution);
      },
      runFunction: (arn, event) => this.runLive(arn, event),
    });
  }

  keyValueStores(): KeyValueStores {
    return this.kvs;
  }

  edgeUrl(distributionId: string): string {
    const distribution = this.store.find(distributionId);
    if (!distribution) throw new Error(`localcloud: no distribution ${distributionId}`);
    return `http://${this.domainName(distribution)}`;
  }

  setInvalidationDelay(ms: number): void {
    this.options.invalidationDelayMs = ms;
  }

  setDeployDelay(ms: number): void {
    this.options.deployDelayMs = ms;
  }

  setDefaultErrorCachingMinTtl(seconds: number): void {
    this.options.defaultErrorCachingMinTtl = seconds;
  }

  async start(): Promise<void> {
    let moved = false;
    for (const distribution of this.store.all()) {
      const port = await this.edges.start(
        distribution.id,
        readEdgeConfig(distribution.config),
        distribution.port,
      );
      if (port !== distribution.port) {
        distribution.port = port;
        moved = true;
      }
      for (const invalidation of distribution.invalidations) {
        if (invalidation.status === "InProgress") this.scheduleSettle(distribution, invalidation);
      }
    }
    if (moved) this.store.save();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.edges.stopAll();
  }

  operationOf(request: AwsRequest): string {
    return routeOf(request).operation;
  }

  async handle(request: AwsRequest, operation: string): Promise<AwsResponse> {
    const route = routeOf(request);
    const named =
      this.functionsApi.handle(operation, route.name ?? "", request) ??
      this.kvsApi.handle(operation, route.name ?? "", request);
    if (named) return named;
    const distributionId = route.distributionId ?? "";
    switch (operation) {
      case "CreateDistribution":
        return this.createDistribution(request);
      case "ListDistributions":
        return this.listDistributions(request);
      case "GetDistribution":
        return this.getDistribution(distributionId);
      case "GetDistributionConfig":
        return this.getDistributionConfig(distributionId);
      case "UpdateDistribution":
        return this.updateDistribution(distributionId, request);
      case "DeleteDistribution":
        return this.deleteDistribution(distributionId, request);
      case "CreateInvalidation":
        return this.createInvalidation(distributionId, request);
      case "GetInvalidation":
        return this.getInvalidation(distributionId, route.invalidationId ?? "");
      case "ListInvalidations":
        return this.listInvalidations(distributionId, request);
      default:
        throw new AwsError(
          "InvalidAction",
          `localcloud does not emulate ${request.method} ${request.path}`,
          400,
        );
    }
  }

  private async createDistribution(request: AwsRequest): Promise<AwsResponse> {
    const config = parseRoot(request.body, "DistributionConfig");
    const edgeConfig = readEdgeConfig(config);
    this.checkFunctionAssociations(edgeConfig);
    const callerReference = text(config, "CallerReference");
    const previous = this.store
      .all()
      .find((d) => text(d.config, "CallerReference") === callerReference);
    if (previous) {
      if (JSON.stringify(previous.config) !== JSON.stringify(config)) {
        throw new AwsError(
          "DistributionAlreadyExists",
          `The caller reference that you are using to create a distribution is associated with another distribution: ${previous.id}.`,
          409,
        );
      }
      return this.distributionResponse(previous, 201);
    }
    checkAliasesFree(undefined, edgeConfig.aliases, this.aliasHolders());
    const now = Date.now();
    const distribution: StoredDistribution = {
      id: newDistributionId(),
      etag: newETag(),
      config,
      lastModifiedTime: new Date(now).toISOString(),
      deployedAt: now + this.options.deployDelayMs * this.context.timeScale,
      port: 0,
      invalidations: [],
    };
    distribution.port = await this.edges.start(distribution.id, edgeConfig, 0);
    this.store.add(distribution);
    return this.distributionResponse(distribution, 201);
  }

  private listDistributions(request: AwsRequest): AwsResponse {
    const { marker, maxItems } = pagingOf(request);
    const { items: found, nextMarker } = page(this.store.all(), marker, maxItems);
    const now = Date.now();
    return xml({
      DistributionList: {
        Marker: marker ?? "",
        ...(nextMarker ? { NextMarker: nextMarker } : {}),
        MaxItems: String(maxItems),
        IsTruncated: String(nextMarker !== undefined),
        Quantity: String(found.length),
        ...(found.length > 0
          ? {
              Items: {
                DistributionSummary: found.map((d) =>
                  distributionSummary(d, this.describe(d, now)),
                ),
              },
            }
          : {}),
      },
    });
  }

  private getDistribution(id: string): AwsResponse {
    return this.distributionResponse(this.distribution(id), 200);
  }

  private getDistributionConfig(id: string): AwsResponse {
    const distribution = this.distribution(id);
    return xml({ DistributionConfig: distribution.config }, 200, { etag: distribution.etag });
  }

  private updateDistribution(id: string, request: AwsRequest): AwsResponse {
    const distribution = this.distribution(id);
    this.checkIfMatch(distribution, request);
    const config = parseRoot(request.body, "DistributionConfig");
    const edgeConfig = readEdgeConfig(config);
    this.checkFunctionAssociations(edgeConfig);
    if (text(config, "CallerReference") !== text(distribution.config, "CallerReference")) {
      throw new AwsError(
        "IllegalUpdate",
        "Your request contains changes that aren't allowed: CallerReference cannot be changed.",
      );
    }
    checkAliasesFree(id, edgeConfig.aliases, this.aliasHolders());
    const now = Date.now();
    distribution.config = config;
    distribution.etag = newETag();
    distribution.lastModifiedTime = new Date(now).toISOString();
    distribution.deployedAt = now + this.options.deployDelayMs * this.context.timeScale;
    this.store.save();
    this.edges.reconfigure(id, edgeConfig);
    return this.distributionResponse(distribution, 200);
  }

  private async deleteDistribution(id: string, request: AwsRequest): Promise<AwsResponse> {
    const distribution = this.distribution(id);
    this.checkIfMatch(distribution, request);
    if (text(distribution.config, "Enabled") !== "false") {
      throw new AwsError(
        "DistributionNotDisabled",
        "The distribution you are trying to delete has not been disabled.",
        409,
      );
    }
    await this.edges.stop(id);
    this.store.remove(id);
    return { status: 204 };
  }

  private createInvalidation(id: string, request: AwsRequest): AwsResponse {
    const distribution = this.distribution(id);
    this.settle(distribution);
    const batch = parseRoot(request.body, "InvalidationBatch");
    const callerReference = text(batch, "CallerReference");
    if (!callerReference) {
      throw new AwsError("InvalidArgument", "The parameter CallerReference is required.");
    }
    const paths = items<string>(child(batch, "Paths"), "Path").map(String);
    const previous = distribution.invalidations.find((i) => i.callerReference === callerReference);
    if (previous) {
      if (!samePaths(previous.paths, paths)) {
        throw new AwsError(
          "InvalidationBatchAlreadyExists",
          `The CallerReference "${callerReference}" was already used for invalidation ${previous.id} with other paths.`,
        );
      }
      return this.invalidationResponse(distribution, previous, 201);
    }
    validatePaths(paths);
    checkInProgressLimits(
      distribution.invalidations.filter((i) => i.status === "InProgress"),
      paths,
    );
    const now = Date.now();
    const invalidation: StoredInvalidation = {
      id: newInvalidationId(),
      callerReference,
      paths,
      createTime: new Date(now).toISOString(),
      completeAt: now + this.options.invalidationDelayMs * this.context.timeScale,
      status: "InProgress",
    };
    distribution.invalidations.push(invalidation);
    this.store.save();
    this.scheduleSettle(distribution, invalidation);
    return this.invalidationResponse(distribution, invalidation, 201);
  }

  private getInvalidation(id: string, invalidationId: string): AwsResponse {
    const distribution = this.distribution(id);
    this.settle(distribution);
    const invalidation = distribution.invalidations.find((i) => i.id === invalidationId);
    if (!invalidation) {
      throw new AwsError("NoSuchInvalidation", "The specified invalidation does not exist.", 404);
    }
    return this.invalidationResponse(distribution, invalidation, 200);
  }

  private listInvalidations(id: string, request: AwsRequest): AwsResponse {
    const distribution = this.distribution(id);
    this.settle(distribution);
    const { marker, maxItems } = pagingOf(request);
    const newestFirst = [...distribution.invalidations].reverse();
    const { items: found, nextMarker } = page(newestFirst, marker, maxItems);
    return xml({
      InvalidationList: {
        Marker: marker ?? "",
        ...(nextMarker ? { NextMarker: nextMarker } : {}),
        MaxItems: String(maxItems),
        IsTruncated: String(nextMarker !== undefined),
        Quantity: String(found.length),
        ...(found.length > 0
          ? { Items: { InvalidationSummary: found.map(invalidationSummary) } }
          : {}),
      },
    });
  }

  /** Completes the invalidations that are due, purging what they name from the edge cache. */
  private settle(distribution: StoredDistribution): void {
    const now = Date.now();
    const due = distribution.invalidations.filter(
      (i) => i.status === "InProgress" && i.completeAt <= now,
    );
    if (due.length === 0) return;
    for (const invalidation of due) {
      this.edges.purge(distribution.id, invalidation.paths);
      invalidation.status = "Completed";
    }
    this.store.save();
  }

  private scheduleSettle(distribution: StoredDistribution, invalidation: StoredInvalidation) {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        const current = this.store.find(distribution.id);
        if (current) this.settle(current);
      },
      Math.max(0, invalidation.completeAt - Date.now()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** Every associated function must exist and be published: distributions run the LIVE stage. */
  private checkFunctionAssociations(config: EdgeConfig): void {
    for (const behavior of config.behaviors) {
      for (const arn of Object.values(behavior.functions)) {
        const name = functionNameOf(arn, this.context.accountId);
        const fn = name ? this.functions.find(name) : undefined;
        if (!fn) {
          throw new AwsError(
            "InvalidFunctionAssociation",
            `The function ARN ${arn} does not name an existing function.`,
          );
        }
        if (!fn.live) {
          throw new AwsError(
            "InvalidFunctionAssociation",
            `The function ${fn.name} is not published: publish it (LIVE stage) before associating it.`,
          );
        }
      }
    }
  }

  /** Every distribution's alternate domain names (a config that no longer reads holds none). */
  private aliasHolders() {
    return this.store.all().map((distribution) => {
      try {
        return { id: distribution.id, aliases: readEdgeConfig(distribution.config).aliases };
      } catch {
        return { id: distribution.id, aliases: [] };
      }
    });
  }

  /** Whether any distribution's config associates this function ARN. */
  private distributionsUsing(arn: string): boolean {
    return this.store.all().some((distribution) => this.runs(distribution, arn));
  }

  private runs(distribution: StoredDistribution, functionArn: string): boolean {
    try {
      return readEdgeConfig(distribution.config).behaviors.some((behavior) =>
        Object.values(behavior.functions).includes(functionArn),
      );
    } catch {
      return false;
    }
  }

  /**
   * Every distribution running a function just published deploys it: InProgress for the deploy
   * delay, as after an UpdateDistribution (its config and ETag unchanged). Its edge runs the new
   * LIVE stage at once, as one of CloudFront's edge locations may before the deploy completes.
   */
  private redeployUsing(functionArn: string): void {
    const deployedAt = Date.now() + this.options.deployDelayMs * this.context.timeScale;
    let changed = false;
    for (const distribution of this.store.all()) {
      if (!this.runs(distribution, functionArn)) continue;
      distribution.deployedAt = Math.max(distribution.deployedAt, deployedAt);
      changed = true;
    }
    if (changed) this.store.save();
  }

  /** Runs a function's LIVE stage for the edge, reading its key value store as it is now. */
  private runLive(arn: string, event: unknown): FunctionOutcome {
    const name = functionNameOf(arn, this.context.accountId);
    const live = name ? this.functions.find(name)?.live : undefined;
    if (!live) {
      return {
        ok: false,
        failure: "execution",
        message: `The function ${arn} has no LIVE stage`,
        logs: [],
        elapsedMs: 0,
        cpuMs: 0,
      };
    }
    return runFunction({
      code: Buffer.from(live.code, "base64").toString("utf8"),
      runtime: live.runtime,
      event,
      keyValueStores: live.keyValueStoreArns.flatMap((kvsArn) => {
        const store = this.kvs.byArn(kvsArn);
        return store ? [readerOf(store)] : [];
      }),
      timeLimitMs: this.options.functionTimeLimitMs,
    });
  }

  private distribution(id: string): StoredDistribution {
    const distribution = this.store.find(id);
    if (!distribution) throw NO_SUCH_DISTRIBUTION();
    return distribution;
  }

  private checkIfMatch(distribution: StoredDistribution, request: AwsRequest): void {
    const ifMatch = request.header("if-match");
    if (!ifMatch) {
      throw new AwsError(
        "InvalidIfMatchVersion",
        "The If-Match version is missing or not valid for the resource.",
      );
    }
    if (ifMatch !== distribution.etag) {
      throw new AwsError(
        "PreconditionFailed",
        "The precondition given in one or more of the request-header fields evaluated to false.",
        412,
      );
    }
  }

  private domainName(distribution: StoredDistribution): string {
    return `${this.context.host}:${distribution.port}`;
  }

  private describe(distribution: StoredDistribution, now: number) {
    return { accountId: this.context.accountId, domainName: this.domainName(distribution), now };
  }

  private distributionResponse(distribution: StoredDistribution, status: number): AwsResponse {
    this.settle(distribution);
    const headers: Record<string, string> = { etag: distribution.etag };
    if (status === 201) {
      headers.location = `${this.context.apiEndpoint()}/${API_VERSION}/distribution/${distribution.id}`;
    }
    return xml(
      { Distribution: distributionDocument(distribution, this.describe(distribution, Date.now())) },
      status,
      headers,
    );
  }

  private invalidationResponse(
    distribution: StoredDistribution,
    invalidation: StoredInvalidation,
    status: number,
  ): AwsResponse {
    const headers: Record<string, string> = {};
    if (status === 201) {
      headers.location = `${this.context.apiEndpoint()}/${API_VERSION}/distribution/${distribution.id}/invalidation/${invalidation.id}`;
    }
    return xml({ Invalidation: invalidationDocument(invalidation) }, status, headers);
  }
}
