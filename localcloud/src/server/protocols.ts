import { XMLBuilder } from "fast-xml-parser";
import type { AwsRequest, AwsResponse } from "./aws-request";
import type { AwsError } from "./errors";

/**
 * The wire protocols localcloud speaks. They differ mostly in how errors look, which is what
 * SDKs parse to decide whether to retry, so each is reproduced as AWS sends it.
 */
export type Protocol = "json" | "query" | "rest-xml" | "rest-xml-s3" | "rest-json";

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: false,
  format: false,
});

/** Serialises `{ Root: {...} }` to an XML document; `@_xmlns` etc. become attributes. */
export const toXml = (document: Record<string, unknown>): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document)}`;

export const xmlResponse = (
  document: Record<string, unknown>,
  status = 200,
  headers: Record<string, string> = {},
): AwsResponse => ({
  status,
  headers: { "content-type": "text/xml", ...headers },
  body: toXml(document),
});

export const jsonResponse = (
  payload: unknown,
  status = 200,
  contentType = "application/x-amz-json-1.1",
): AwsResponse => ({
  status,
  headers: { "content-type": contentType },
  body: JSON.stringify(payload ?? {}),
});

/**
 * The protocol of a request that names no service (it is unsigned, so no credential scope says
 * which): read from its shape, so the refusal is in the form the caller's SDK parses. JSON
 * services are called with X-Amz-Target, Query services with an Action parameter, CloudFront
 * under its API version; anything else is S3's REST API.
 */
export const protocolOfUnsigned = (request: {
  header(name: string): string | undefined;
  query: Record<string, string>;
  path: string;
  body: Buffer;
}): Protocol => {
  if (request.header("x-amz-target")) return "json";
  if (request.query.Action || /(^|&)Action=/.test(request.body.toString("utf8"))) return "query";
  if (/^\/20\d\d-\d\d-\d\d\//.test(request.path)) return "rest-xml";
  return "rest-xml-s3";
};

export const serializeError = (
  protocol: Protocol,
  error: AwsError,
  requestId: string,
  xmlns?: string,
): AwsResponse => {
  const headers: Record<string, string> = { "x-amzn-requestid": requestId };
  switch (protocol) {
    case "json":
    case "rest-json":
      return {
        status: error.status,
        headers: {
          ...headers,
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-errortype": error.code,
        },
        body: JSON.stringify({ __type: error.code, message: error.message }),
      };
    case "rest-xml-s3":
      return xmlResponse(
        {
          Error: {
            Code: error.code,
            Message: error.message,
            ...error.extra,
            RequestId: requestId,
            HostId: requestId,
          },
        },
        error.status,
        { "x-amz-request-id": requestId },
      );
    case "query":
    case "rest-xml":
      return xmlResponse(
        {
          ErrorResponse: {
            ...(xmlns ? { "@_xmlns": xmlns } : {}),
            Error: { Type: error.type, Code: error.code, Message: error.message, ...error.extra },
            RequestId: requestId,
          },
        },
        error.status,
        headers,
      );
  }
};

/**
 * Decodes a Query-protocol form (`Names.member.1=a&Tags.member.1.Key=k`) into a nested value:
 * `{ Names: { member: { "1": "a" } } }`. Use `listOf` to turn `member` maps into arrays.
 */
export const decodeQueryForm = (params: Record<string, string>): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const parts = key.split(".");
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
      } else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return root;
};

/** `{ member: { "2": b, "1": a } }` → `[a, b]` (also accepts the map without `member`). */
export const listOf = (value: unknown, memberName = "member"): unknown[] => {
  if (value === undefined || value === null) return [];
  const container = (value as Record<string, unknown>)[memberName] ?? value;
  if (typeof container !== "object" || container === null) return [];
  return Object.entries(container as Record<string, unknown>)
    .filter(([index]) => /^\d+$/.test(index))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, item]) => item);
};

/** Query-protocol parameters (ELBv2, STS): the form body of a POST, else the query string. */
export const formParams = (request: AwsRequest): Record<string, string> => {
  if (request.method === "POST" && request.body.length > 0) {
    const out: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(request.body.toString("utf8"))) out[key] = value;
    return out;
  }
  return request.query;
};
