import { gunzipSync } from "node:zlib";
import type { AwsRequest, AwsResponse } from "../../server/aws-request";
import {
  decodeQueryForm,
  formParams,
  jsonResponse,
  listOf,
  xmlResponse,
} from "../../server/protocols";

/**
 * CloudWatch speaks two wire protocols: the AWS SDK for JavaScript v3 sends AWS JSON 1.0
 * (X-Amz-Target `GraniteServiceVersion20100801.<Operation>`), the AWS CLI v2 of Debian the Query
 * protocol (`Action=<Operation>` in a form). Both decode here to one input shape (the API's member
 * names, lists as arrays) and the handlers' output encodes back to the caller's protocol.
 */
export const XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
const TARGET_PREFIX = "GraniteServiceVersion20100801.";

export type Wire = "json" | "query";

export const wireOf = (request: Pick<AwsRequest, "header">): Wire =>
  request.header("x-amz-target")?.startsWith(TARGET_PREFIX) ? "json" : "query";

export const operationOf = (request: AwsRequest): string =>
  wireOf(request) === "json"
    ? (request.header("x-amz-target")?.slice(TARGET_PREFIX.length) ?? "Unknown")
    : (formParams(bodyOf(request)).Action ?? "Unknown");

/** The SDK compresses large PutMetricData bodies (gzip) as CloudWatch allows. */
const bodyOf = (request: AwsRequest): AwsRequest => {
  if (request.header("content-encoding") !== "gzip" || request.body.length === 0) return request;
  return { ...request, body: gunzipSync(request.body) };
};

/** Query forms nest lists as `member` maps; turn every one into an array. */
const membersToArrays = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value;
  const object = value as Record<string, unknown>;
  if ("member" in object) return listOf(object).map(membersToArrays);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, membersToArrays(v)]));
};

export const inputOf = (request: AwsRequest): Record<string, unknown> => {
  const plain = bodyOf(request);
  if (wireOf(request) === "json") {
    const text = plain.body.toString("utf8");
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }
  const { Action: _a, Version: _v, ...params } = formParams(plain);
  return membersToArrays(decodeQueryForm(params)) as Record<string, unknown>;
};

/** JSON carries timestamps as epoch seconds; Query as ISO 8601 text and lists as <member>s. */
const forJson = (value: unknown): unknown => {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(forJson);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, forJson(v)]),
    );
  }
  return value;
};
const forXml = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return { member: value.map(forXml) };
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, forXml(v)]),
    );
  }
  return value;
};

export const outputOf = (
  request: AwsRequest,
  operation: string,
  output: Record<string, unknown>,
): AwsResponse => {
  if (wireOf(request) === "json") {
    return jsonResponse(forJson(output), 200, "application/x-amz-json-1.0");
  }
  const result = Object.keys(output).length > 0 ? { [`${operation}Result`]: forXml(output) } : {};
  return xmlResponse({
    [`${operation}Response`]: {
      "@_xmlns": XMLNS,
      ...result,
      ResponseMetadata: { RequestId: request.requestId },
    },
  });
};

/** A timestamp as either protocol sends it: epoch seconds (JSON) or ISO 8601 text (Query). */
export const millisOf = (value: unknown): number | undefined => {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number") return value * 1000;
  const text = String(value);
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
};

export const booleanOf = (value: unknown, fallback: boolean): boolean =>
  value === undefined ? fallback : value === true || value === "true";
