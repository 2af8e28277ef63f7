import type { AwsRequest } from "../../server/aws-request";

export const API_VERSION = "2020-05-31";

export interface Route {
  operation: string;
  distributionId?: string;
  invalidationId?: string;
  /** A function's or key value store's name. */
  name?: string;
}

const ROUTES: Array<{ method: string; pattern: RegExp; operation: string }> = [
  { method: "POST", pattern: /^\/distribution$/, operation: "CreateDistribution" },
  { method: "GET", pattern: /^\/distribution$/, operation: "ListDistributions" },
  { method: "GET", pattern: /^\/distribution\/([^/]+)$/, operation: "GetDistribution" },
  { method: "DELETE", pattern: /^\/distribution\/([^/]+)$/, operation: "DeleteDistribution" },
  {
    method: "GET",
    pattern: /^\/distribution\/([^/]+)\/config$/,
    operation: "GetDistributionConfig",
  },
  { method: "PUT", pattern: /^\/distribution\/([^/]+)\/config$/, operation: "UpdateDistribution" },
  {
    method: "POST",
    pattern: /^\/distribution\/([^/]+)\/invalidation$/,
    operation: "CreateInvalidation",
  },
  {
    method: "GET",
    pattern: /^\/distribution\/([^/]+)\/invalidation$/,
    operation: "ListInvalidations",
  },
  {
    method: "GET",
    pattern: /^\/distribution\/([^/]+)\/invalidation\/([^/]+)$/,
    operation: "GetInvalidation",
  },
  { method: "POST", pattern: /^\/function$/, operation: "CreateFunction" },
  { method: "GET", pattern: /^\/function$/, operation: "ListFunctions" },
  { method: "GET", pattern: /^\/function\/([^/]+)$/, operation: "GetFunction" },
  { method: "PUT", pattern: /^\/function\/([^/]+)$/, operation: "UpdateFunction" },
  { method: "DELETE", pattern: /^\/function\/([^/]+)$/, operation: "DeleteFunction" },
  { method: "GET", pattern: /^\/function\/([^/]+)\/describe$/, operation: "DescribeFunction" },
  { method: "POST", pattern: /^\/function\/([^/]+)\/publish$/, operation: "PublishFunction" },
  { method: "POST", pattern: /^\/function\/([^/]+)\/test$/, operation: "TestFunction" },
  { method: "POST", pattern: /^\/key-value-store$/, operation: "CreateKeyValueStore" },
  { method: "GET", pattern: /^\/key-value-store$/, operation: "ListKeyValueStores" },
  { method: "GET", pattern: /^\/key-value-store\/([^/]+)$/, operation: "DescribeKeyValueStore" },
  { method: "PUT", pattern: /^\/key-value-store\/([^/]+)$/, operation: "UpdateKeyValueStore" },
  { method: "DELETE", pattern: /^\/key-value-store\/([^/]+)$/, operation: "DeleteKeyValueStore" },
];

/** Operations whose path names a function or key value store rather than a distribution. */
const NAMED = /Function|KeyValueStore/;

/** Maps a REST call (`GET /2020-05-31/distribution/E123/invalidation/I456`) to its operation. */
export const routeOf = (request: AwsRequest): Route => {
  const prefix = `/${API_VERSION}`;
  if (!request.path.startsWith(prefix)) return { operation: "Unknown" };
  const rest = request.path.slice(prefix.length).replace(/\/$/, "");
  for (const route of ROUTES) {
    if (route.method !== request.method) continue;
    const match = route.pattern.exec(rest);
    if (!match) continue;
    if (NAMED.test(route.operation)) {
      return { operation: route.operation, ...(match[1] ? { name: match[1] } : {}) };
    }
    return {
      operation: route.operation,
      ...(match[1] ? { distributionId: match[1] } : {}),
      ...(match[2] ? { invalidationId: match[2] } : {}),
    };
  }
  return { operation: "Unknown" };
};
