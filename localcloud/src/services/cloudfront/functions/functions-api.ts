import type { AwsRequest, AwsResponse } from "../../../server/aws-request";
import { AwsError } from "../../../server/errors";
import { page, pagingOf, xml } from "../documents";
import { newETag } from "../ids";
import { checkIfMatch } from "../if-match";
import type { KeyValueStores } from "../key-value-stores/kvs-store";
import { API_VERSION } from "../routes";
import { child, items, list, parseRoot, text, type XmlNode } from "../xml";
import { compileError, MAX_FUNCTION_CODE_BYTES, runFunction } from "./function-runtime";
import {
  type FunctionRuntime,
  type FunctionStage,
  type FunctionStore,
  type FunctionVersion,
  functionArn,
  type StoredFunction,
} from "./function-store";
import { readerOf } from "./kvs-reader";

export interface FunctionsApiDependencies {
  functions: FunctionStore;
  keyValueStores: KeyValueStores;
  accountId: string;
  apiEndpoint(): string;
  /** Whether a distribution's config names this function ARN. */
  isAssociated(arn: string): boolean;
  /**
   * A new LIVE stage of this function ARN was published: the distributions running it deploy it
   * (CloudFront: they use the new copy "as soon as the distributions finish deploying").
   */
  published(arn: string): void;
  /** A function run's time budget (ms). */
  timeLimitMs(): number;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const RUNTIMES: FunctionRuntime[] = ["cloudfront-js-1.0", "cloudfront-js-2.0"];
/** TestFunction's event object quota. */
const MAX_EVENT_BYTES = 40 * 1024;

const noSuchFunction = () =>
  new AwsError("NoSuchFunctionExists", "The function does not exist.", 404);

/** CloudFront Functions' control plane: create, update, describe, get, publish, test, delete, list. */
export class FunctionsApi {
  constructor(private readonly deps: FunctionsApiDependencies) {}

  handle(operation: string, name: string, request: AwsRequest): AwsResponse | undefined {
    switch (operation) {
      case "CreateFunction":
        return this.create(request);
      case "ListFunctions":
        return this.list(request);
      case "DescribeFunction":
        return this.describe(name, request);
      case "GetFunction":
        return this.get(name, request);
      case "UpdateFunction":
        return this.update(name, request);
      case "PublishFunction":
        return this.publish(name, request);
      case "TestFunction":
        return this.test(name, request);
      case "DeleteFunction":
        return this.delete(name, request);
      default:
        return undefined;
    }
  }

  private create(request: AwsRequest): AwsResponse {
    const body = parseRoot(request.body, "CreateFunctionRequest");
    const name = text(body, "Name") ?? "";
    if (!NAME.test(name)) {
      throw new AwsError(
        "InvalidArgument",
        `The function name "${name}" is invalid: use 1 to 64 letters, digits, hyphens and underscores.`,
      );
    }
    if (this.deps.functions.find(name)) {
      throw new AwsError("FunctionAlreadyExists", `A function named ${name} already exists.`, 409);
    }
    const now = new Date().toISOString();
    const fn: StoredFunction = {
      name,
      createdTime: now,
      development: this.version(body, now),
    };
    this.deps.functions.add(fn);
    return xml({ FunctionSummary: this.summary(fn, "DEVELOPMENT") }, 201, {
      etag: fn.development.etag,
      location: `${this.deps.apiEndpoint()}/${API_VERSION}/function/${this.arn(name)}`,
    });
  }

  private update(name: string, request: AwsRequest): AwsResponse {
    const fn = this.function(name);
    checkIfMatch(request, fn.development.etag);
    const body = parseRoot(request.body, "UpdateFunctionRequest");
    fn.development = this.version(body, new Date().toISOString());
    this.deps.functions.save();
    // CloudFront sends this operation's version in a header spelt `ETtag`; the SDK reads that one.
    return xml({ FunctionSummary: this.summary(fn, "DEVELOPMENT") }, 200, {
      etag: fn.development.etag,
      ettag: fn.development.etag,
    });
  }

  private describe(name: string, request: AwsRequest): AwsResponse {
    const fn = this.function(name);
    const stage = stageOf(request);
    const version = this.stageVersion(fn, stage);
    return xml({ FunctionSummary: this.summary(fn, stage) }, 200, { etag: version.etag });
  }

  private get(name: string, request: AwsRequest): AwsResponse {
    const version = this.stageVersion(this.function(name), stageOf(request));
    return {
      status: 200,
      headers: { "content-type": "application/octet-stream", etag: version.etag },
      body: Buffer.from(version.code, "base64"),
    };
  }

  private publish(name: string, request: AwsRequest): AwsResponse {
    const fn = this.function(name);
    checkIfMatch(request, fn.development.etag);
    fn.live = { ...fn.development, keyValueStoreArns: [...fn.development.keyValueStoreArns] };
    this.deps.functions.save();
    this.deps.published(this.arn(name));
    return xml({ FunctionSummary: this.summary(fn, "LIVE") });
  }

  private test(name: string, request: AwsRequest): AwsResponse {
    const fn = this.function(name);
    const body = parseRoot(request.body, "TestFunctionRequest");
    const stage = (text(body, "Stage") || "DEVELOPMENT") as FunctionStage;
    if (stage !== "DEVELOPMENT" && stage !== "LIVE") {
      throw new AwsError("InvalidArgument", `Stage must be DEVELOPMENT or LIVE, got "${stage}".`);
    }
    const version = this.stageVersion(fn, stage);
    checkIfMatch(request, version.etag);
    const eventText = Buffer.from(text(body, "EventObject") ?? "", "base64");
    if (eventText.length > MAX_EVENT_BYTES) {
      throw new AwsError("InvalidArgument", "The event object is larger than 40 KB.");
    }
    let event: unknown;
    try {
      event = JSON.parse(eventText.toString("utf8"));
    } catch {
      throw new AwsError("InvalidArgument", "The event object is not valid JSON.");
    }
    const limit = this.deps.timeLimitMs();
    const outcome = runFunction({
      code: Buffer.from(version.code, "base64").toString("utf8"),
      runtime: version.runtime,
      event,
      keyValueStores: this.readers(version),
      timeLimitMs: limit,
    });
    // CloudFront's compute utilization is CPU time against the limit.
    const utilization = Math.min(100, Math.round((outcome.cpuMs / limit) * 100));
    const eventType = (event as { context?: { eventType?: string } })?.context?.eventType;
    const result: XmlNode = {
      FunctionSummary: this.summary(fn, stage),
      ComputeUtilization: String(utilization),
      ...(outcome.logs.length > 0 ? { FunctionExecutionLogs: { member: outcome.logs } } : {}),
      ...(outcome.ok
        ? { FunctionOutput: testOutput(outcome.output, eventType) }
        : { FunctionErrorMessage: outcome.message }),
    };
    return xml({ TestResult: result });
  }

  private delete(name: string, request: AwsRequest): AwsResponse {
    const fn = this.function(name);
    checkIfMatch(request, fn.development.etag);
    if (this.deps.isAssociated(this.arn(name))) {
      throw new AwsError(
        "FunctionInUse",
        "Cannot delete function, it's still associated with one or more distributions.",
        409,
      );
    }
    this.deps.functions.remove(name);
    return { status: 204 };
  }

  private list(request: AwsRequest): AwsResponse {
    const { marker, maxItems } = pagingOf(request);
    const stage = request.query.Stage as FunctionStage | undefined;
    const all = this.deps.functions
      .all()
      .filter((fn) => stage !== "LIVE" || fn.live !== undefined)
      .map((fn) => ({ id: fn.name, fn }));
    const { items: found, nextMarker } = page(all, marker, maxItems);
    return xml({
      FunctionList: {
        ...(nextMarker ? { NextMarker: nextMarker } : {}),
        MaxItems: String(maxItems),
        Quantity: String(found.length),
        ...(found.length > 0
          ? {
              Items: {
                FunctionSummary: found.map(({ fn }) => this.summary(fn, stage ?? "DEVELOPMENT")),
              },
            }
          : {}),
      },
    });
  }

  /** A stage's copy from a Create/UpdateFunctionRequest, validated as CloudFront validates it. */
  private version(body: XmlNode, now: string): FunctionVersion {
    const config = child(body, "FunctionConfig");
    const runtime = text(config, "Runtime") as FunctionRuntime | undefined;
    if (!runtime || !RUNTIMES.includes(runtime)) {
      throw new AwsError(
        "InvalidArgument",
        `The function runtime "${runtime ?? ""}" is not supported: use ${RUNTIMES.join(" or ")}.`,
      );
    }
    const code = text(body, "FunctionCode") ?? "";
    const source = Buffer.from(code, "base64");
    if (source.length === 0) {
      throw new AwsError("InvalidArgument", "The parameter FunctionCode is required.");
    }
    if (source.length > MAX_FUNCTION_CODE_BYTES) {
      throw new AwsError(
        "FunctionSizeLimitExceeded",
        `The function code is ${source.length} bytes; the maximum is ${MAX_FUNCTION_CODE_BYTES} bytes (10 KB).`,
        413,
      );
    }
    const syntax = compileError(source.toString("utf8"), runtime);
    if (syntax) {
      throw new AwsError("InvalidArgument", `The function code is not valid JavaScript: ${syntax}`);
    }
    const arns = items(child(config, "KeyValueStoreAssociations"), "KeyValueStoreAssociation").map(
      (association) => text(association, "KeyValueStoreARN") ?? "",
    );
    if (arns.length > 0 && runtime !== "cloudfront-js-2.0") {
      throw new AwsError(
        "InvalidArgument",
        "Key value stores can be associated only with functions of runtime cloudfront-js-2.0.",
      );
    }
    if (arns.length > 1) {
      throw new AwsError(
        "InvalidArgument",
        "A function can be associated with at most one key value store.",
      );
    }
    for (const arn of arns) {
      if (!this.deps.keyValueStores.byArn(arn)) {
        throw new AwsError("EntityNotFound", `The key value store ${arn} does not exist.`, 404);
      }
    }
    return {
      etag: newETag(),
      comment: text(config, "Comment") ?? "",
      runtime,
      keyValueStoreArns: arns,
      code,
      lastModifiedTime: now,
    };
  }

  private readers(version: FunctionVersion) {
    return version.keyValueStoreArns.flatMap((arn) => {
      const store = this.deps.keyValueStores.byArn(arn);
      return store ? [readerOf(store)] : [];
    });
  }

  private summary(fn: StoredFunction, stage: FunctionStage): XmlNode {
    const version = this.stageVersion(fn, stage);
    return {
      Name: fn.name,
      Status: this.status(fn, stage),
      FunctionConfig: {
        Comment: version.comment,
        Runtime: version.runtime,
        KeyValueStoreAssociations: list(
          "KeyValueStoreAssociation",
          version.keyValueStoreArns.map((arn) => ({ KeyValueStoreARN: arn })),
        ),
      },
      FunctionMetadata: {
        FunctionARN: this.arn(fn.name),
        Stage: stage,
        CreatedTime: fn.createdTime,
        LastModifiedTime: version.lastModifiedTime,
      },
    };
  }

  /**
   * UNPUBLISHED while the development copy differs from the live one; once published,
   * DEPLOYED when a distribution uses it, else UNASSOCIATED.
   */
  private status(fn: StoredFunction, stage: FunctionStage): string {
    if (stage === "DEVELOPMENT" && fn.live?.etag !== fn.development.etag) return "UNPUBLISHED";
    return this.deps.isAssociated(this.arn(fn.name)) ? "DEPLOYED" : "UNASSOCIATED";
  }

  private stageVersion(fn: StoredFunction, stage: FunctionStage): FunctionVersion {
    if (stage === "LIVE") {
      if (!fn.live) throw noSuchFunction();
      return fn.live;
    }
    return fn.development;
  }

  private function(name: string): StoredFunction {
    const fn = this.deps.functions.find(name);
    if (!fn) throw noSuchFunction();
    return fn;
  }

  private arn(name: string): string {
    return functionArn(this.deps.accountId, name);
  }
}

const stageOf = (request: AwsRequest): FunctionStage => {
  const stage = request.query.Stage || "DEVELOPMENT";
  if (stage !== "DEVELOPMENT" && stage !== "LIVE") {
    throw new AwsError("InvalidArgument", `Stage must be DEVELOPMENT or LIVE, got "${stage}".`);
  }
  return stage;
};

/**
 * TestFunction's FunctionOutput: the returned object under `request` or `response`, as JSON.
 * A viewer-response function always returns a response; a viewer-request one returns a
 * response when it answers itself (it has a statusCode).
 */
const testOutput = (output: unknown, eventType: string | undefined): string => {
  const isResponse =
    eventType === "viewer-response" ||
    (typeof output === "object" && output !== null && "statusCode" in output);
  return JSON.stringify(isResponse ? { response: output } : { request: output });
};
