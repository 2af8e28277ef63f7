import type { AwsRequest, AwsResponse } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import type { CloudFrontService } from "../cloudfront";
import {
  type KeyValueStores,
  KVS_LIMITS,
  type StoredKeyValueStore,
  totalSizeInBytes,
} from "../cloudfront/key-value-stores/kvs-store";
import type { LocalcloudService, ServiceContext } from "../service";

interface Route {
  operation: string;
  arn?: string;
  key?: string;
}

const validation = (message: string) => new AwsError("ValidationException", message, 400);

/**
 * The `cloudfront-keyvaluestore` API (REST-JSON, signed with SigV4A): reads and writes the keys
 * of the stores CloudFront's API manages. Every write names the version it was based on
 * (If-Match); a stale one is a ConflictException, so two publishers cannot overwrite each other
 * unknowingly.
 */
export class CloudFrontKeyValueStore implements LocalcloudService {
  readonly name = "cloudfront-keyvaluestore";
  readonly signingName = "cloudfront-keyvaluestore";
  readonly protocol = "rest-json" as const;
  readonly throttlingError = {
    code: "ThrottlingException",
    status: 429,
    message: "Rate exceeded",
  };

  constructor(private readonly context: ServiceContext) {}

  private stores(): KeyValueStores {
    return this.context.service<CloudFrontService>("cloudfront").keyValueStores();
  }

  operationOf(request: AwsRequest): string {
    return routeOf(request).operation;
  }

  async handle(request: AwsRequest, operation: string): Promise<AwsResponse> {
    const route = routeOf(request);
    const store = this.store(route.arn ?? "");
    switch (operation) {
      case "DescribeKeyValueStore":
        return json(
          {
            ItemCount: Object.keys(store.items).length,
            TotalSizeInBytes: totalSizeInBytes(store.items),
            KvsARN: store.arn,
            Created: store.createdAt / 1000,
            LastModified: store.dataModifiedAt / 1000,
            Status: "READY",
          },
          store.dataEtag,
        );
      case "GetKey":
        return this.getKey(store, route.key ?? "");
      case "ListKeys":
        return this.listKeys(store, request);
      case "PutKey":
        return this.putKey(store, route.key ?? "", request);
      case "DeleteKey":
        return this.deleteKey(store, route.key ?? "", request);
      case "UpdateKeys":
        return this.updateKeys(store, request);
      default:
        throw validation(`localcloud does not emulate ${request.method} ${request.rawPath}`);
    }
  }

  private getKey(store: StoredKeyValueStore, key: string): AwsResponse {
    if (!Object.hasOwn(store.items, key)) {
      throw new AwsError("ResourceNotFoundException", `Key ${key} not found.`, 404);
    }
    return json({
      Key: key,
      Value: store.items[key],
      ItemCount: Object.keys(store.items).length,
      TotalSizeInBytes: totalSizeInBytes(store.items),
    });
  }

  private listKeys(store: StoredKeyValueStore, request: AwsRequest): AwsResponse {
    const maxResults = Number(request.query.MaxResults ?? 50);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
      throw validation("MaxResults must be an integer from 1 to 50.");
    }
    const keys = Object.keys(store.items).sort();
    const after = request.query.NextToken
      ? Buffer.from(request.query.NextToken, "base64url").toString("utf8")
      : undefined;
    const start = after === undefined ? 0 : keys.findIndex((key) => key > after);
    const chosen = start < 0 ? [] : keys.slice(start, start + maxResults);
    const last = chosen[chosen.length - 1];
    const more = start >= 0 && start + maxResults < keys.length && last !== undefined;
    return json({
      Items: chosen.map((key) => ({ Key: key, Value: store.items[key] })),
      ...(more ? { NextToken: Buffer.from(last).toString("base64url") } : {}),
    });
  }

  private putKey(store: StoredKeyValueStore, key: string, request: AwsRequest): AwsResponse {
    this.checkIfMatch(store, request);
    const value = bodyOf(request).Value;
    if (typeof value !== "string") throw validation("Value is required.");
    return this.write(store, [{ key, value }], []);
  }

  private deleteKey(store: StoredKeyValueStore, key: string, request: AwsRequest): AwsResponse {
    this.checkIfMatch(store, request);
    if (!Object.hasOwn(store.items, key)) {
      throw new AwsError("ResourceNotFoundException", `Key ${key} not found.`, 404);
    }
    return this.write(store, [], [key]);
  }

  private updateKeys(store: StoredKeyValueStore, request: AwsRequest): AwsResponse {
    this.checkIfMatch(store, request);
    const body = bodyOf(request);
    const puts = (Array.isArray(body.Puts) ? body.Puts : []) as Array<Record<string, unknown>>;
    const deletes = (Array.isArray(body.Deletes) ? body.Deletes : []) as Array<
      Record<string, unknown>
    >;
    if (puts.length + deletes.length === 0) {
      throw validation("UpdateKeys needs at least one put or delete.");
    }
    return this.write(
      store,
      puts.map((put) => {
        if (typeof put.Key !== "string" || typeof put.Value !== "string") {
          throw validation("Each put needs a Key and a Value.");
        }
        return { key: put.Key, value: put.Value };
      }),
      deletes.map((del) => {
        if (typeof del.Key !== "string") throw validation("Each delete needs a Key.");
        return del.Key;
      }),
    );
  }

  /** Checks the quotas, applies the change at once, and answers with the new version. */
  private write(
    store: StoredKeyValueStore,
    puts: Array<{ key: string; value: string }>,
    deletes: string[],
  ): AwsResponse {
    for (const { key, value } of puts) {
      const keyBytes = Buffer.byteLength(key);
      if (keyBytes < 1 || keyBytes > KVS_LIMITS.keyBytes) {
        throw validation(`A key must be 1 to ${KVS_LIMITS.keyBytes} bytes.`);
      }
      if (Buffer.byteLength(value) > KVS_LIMITS.valueBytes) {
        throw validation(`The value of ${key} is larger than ${KVS_LIMITS.valueBytes} bytes.`);
      }
    }
    const next = { ...store.items };
    for (const key of deletes) delete next[key];
    for (const { key, value } of puts) next[key] = value;
    if (totalSizeInBytes(next) > KVS_LIMITS.totalBytes) {
      throw new AwsError(
        "ServiceQuotaExceededException",
        "The key value store would exceed its maximum size of 5 MB.",
        402,
      );
    }
    this.stores().write(store, puts, deletes, Date.now());
    return json(
      {
        ItemCount: Object.keys(store.items).length,
        TotalSizeInBytes: totalSizeInBytes(store.items),
      },
      store.dataEtag,
    );
  }

  private checkIfMatch(store: StoredKeyValueStore, request: AwsRequest): void {
    const ifMatch = request.header("if-match");
    if (!ifMatch) throw validation("The If-Match header is required.");
    if (ifMatch !== store.dataEtag) {
      throw new AwsError(
        "ConflictException",
        "Pre-Condition failed: the ETag in If-Match is not the key value store's current one.",
        409,
      );
    }
  }

  private store(arn: string): StoredKeyValueStore {
    const store = this.stores().byArn(arn);
    if (!store) {
      throw new AwsError("ResourceNotFoundException", `Key value store ${arn} not found.`, 404);
    }
    return store;
  }
}

/** Routes by the raw path: the ARN and the key are single, percent-encoded path segments. */
const routeOf = (request: AwsRequest): Route => {
  const segments = request.rawPath.split("/").slice(1).map(decode);
  if (segments[0] !== "key-value-stores" || !segments[1]) return { operation: "Unknown" };
  const arn = segments[1];
  const method = request.method;
  if (segments.length === 2 && method === "GET") return { operation: "DescribeKeyValueStore", arn };
  if (segments[2] !== "keys") return { operation: "Unknown", arn };
  if (segments.length === 3) {
    if (method === "GET") return { operation: "ListKeys", arn };
    if (method === "POST") return { operation: "UpdateKeys", arn };
  }
  if (segments.length === 4 && segments[3] !== undefined) {
    const key = segments[3];
    if (method === "GET") return { operation: "GetKey", arn, key };
    if (method === "PUT") return { operation: "PutKey", arn, key };
    if (method === "DELETE") return { operation: "DeleteKey", arn, key };
  }
  return { operation: "Unknown", arn };
};

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const bodyOf = (request: AwsRequest): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(request.body.toString("utf8") || "{}") as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw validation("The request body is not valid JSON.");
  }
};

const json = (payload: unknown, etag?: string): AwsResponse => ({
  status: 200,
  headers: { "content-type": "application/json", ...(etag ? { etag } : {}) },
  body: JSON.stringify(payload),
});
