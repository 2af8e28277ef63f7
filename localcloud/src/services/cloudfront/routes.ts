import type { AwsRequest } from "../../server/aws-request";

export const API_VERSION = "2020-05-31";

export interface Route {
  operation: string;
  distributionId?: string;
  invalidationId?: string;
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
];

/** Maps a REST call (`GET /2020-05-31/distribution/E123/invalidation/I456`) to its operation. */
export const routeOf = (request: AwsRequest): Route => {
  const prefix = `/${API_VERSION}`;
  if (!request.path.startsWith(prefix)) return { operation: "Unknown" };
  const rest = request.path.slice(prefix.length).replace(/\/$/, "");
  for (const route of ROUTES) {
    if (route.method !== request.method) continue;
    const match = route.pattern.exec(rest);
    if (!match) continue;
    return {
      operation: route.operation,
      ...(match[1] ? { distributionId: match[1] } : {}),
      ...(match[2] ? { invalidationId: match[2] } : {}),
    };
  }
  return { operation: "Unknown" };
};
