import type { IncomingHttpHeaders } from "node:http";
import type { FunctionOutcome } from "../functions/function-runtime";
import { cloudFrontError, type EdgeResponse } from "./edge-response";

/** `{ name: { value, multiValue? } }`: how CloudFront Functions see headers, query strings, cookies. */
type FieldMap = Record<string, { value: string; multiValue?: Array<{ value: string }> }>;

export interface FunctionRequest {
  method: string;
  uri: string;
  querystring: FieldMap;
  headers: FieldMap;
  cookies: FieldMap;
}

export interface EventContext {
  distributionDomainName: string;
  distributionId: string;
  requestId: string;
  viewerIp: string;
}

/** Runs a distribution's associated function (LIVE stage) with an event. */
export type RunViewerFunction = (functionArn: string, event: unknown) => FunctionOutcome;

const fieldMap = (entries: Array<[string, string]>): FieldMap => {
  const map: FieldMap = {};
  for (const [name, value] of entries) {
    const existing = map[name];
    if (!existing) {
      map[name] = { value };
    } else {
      existing.multiValue ??= [{ value: existing.value }];
      existing.multiValue.push({ value });
    }
  }
  return map;
};

const valuesOf = (field: FieldMap[string]): string[] =>
  field.multiValue && field.multiValue.length > 0
    ? field.multiValue.map((v) => String(v.value))
    : [String(field.value)];

/** The viewer's request as the event's `request`: the Cookie header becomes `cookies`. */
export const functionRequest = (
  method: string,
  rawPath: string,
  rawQuery: string,
  headers: IncomingHttpHeaders,
): FunctionRequest => {
  const headerEntries: Array<[string, string]> = [];
  const cookieEntries: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      if (name === "cookie") {
        for (const pair of one.split(";")) {
          const eq = pair.indexOf("=");
          if (pair.trim() === "") continue;
          cookieEntries.push(
            eq < 0 ? [pair.trim(), ""] : [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()],
          );
        }
      } else {
        headerEntries.push([name, one]);
      }
    }
  }
  const queryEntries: Array<[string, string]> = rawQuery
    .replace(/^\?/, "")
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      return eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
  return {
    method,
    uri: rawPath,
    querystring: fieldMap(queryEntries),
    headers: fieldMap(headerEntries),
    cookies: fieldMap(cookieEntries),
  };
};

export const viewerEvent = (
  eventType: "viewer-request" | "viewer-response",
  context: EventContext,
  request: FunctionRequest,
  response?: {
    statusCode: number;
    statusDescription: string;
    headers: FieldMap;
    cookies: FieldMap;
  },
) => ({
  version: "1.0",
  context: {
    distributionDomainName: context.distributionDomainName,
    distributionId: context.distributionId,
    eventType,
    requestId: context.requestId,
  },
  viewer: { ip: context.viewerIp },
  request,
  ...(response ? { response } : {}),
});

/** What a viewer-request function decided: go on with this request, or answer with this response. */
export type RequestDecision =
  | { kind: "request"; rawPath: string; rawQuery: string; headers: IncomingHttpHeaders }
  | { kind: "response"; response: EdgeResponse };

/**
 * Reads a viewer-request function's result: a returned request (with `uri`) continues with its
 * URI, query string, headers and cookies; a returned response (with `statusCode`) is answered
 * as is. Anything else, a throw or an exceeded limit is CloudFront's 503.
 */
export const requestDecision = (outcome: FunctionOutcome): RequestDecision => {
  if (!outcome.ok) return { kind: "response", response: functionFailure(outcome) };
  const output = outcome.output as Record<string, unknown> | null;
  if (output && typeof output === "object" && "statusCode" in output) {
    return { kind: "response", response: generatedResponse(output) };
  }
  if (!output || typeof output !== "object" || typeof output.uri !== "string") {
    return {
      kind: "response",
      response: functionFailure({
        ok: false,
        failure: "execution",
        message: "The function returned neither a request nor a response",
        logs: [],
        elapsedMs: 0,
        cpuMs: 0,
      }),
    };
  }
  const request = output as unknown as FunctionRequest;
  const headers: IncomingHttpHeaders = {};
  for (const [name, field] of Object.entries(request.headers ?? {})) {
    const values = valuesOf(field);
    headers[name.toLowerCase()] = values.length === 1 ? values[0] : values;
  }
  const cookies = Object.entries(request.cookies ?? {}).flatMap(([name, field]) =>
    valuesOf(field).map((value) => `${name}=${value}`),
  );
  if (cookies.length > 0) headers.cookie = cookies.join("; ");
  const query = Object.entries(request.querystring ?? {}).flatMap(([name, field]) =>
    valuesOf(field).map((value) => (value === "" ? name : `${name}=${value}`)),
  );
  return {
    kind: "request",
    rawPath: request.uri.startsWith("/") ? request.uri : `/${request.uri}`,
    rawQuery: query.length > 0 ? `?${query.join("&")}` : "",
    headers,
  };
};

/** The response a function returned (viewer-request): status, headers, cookies, optional body. */
const generatedResponse = (output: Record<string, unknown>): EdgeResponse => {
  const headers = responseHeaders(output);
  const body = output.body as string | { data?: string; encoding?: string } | undefined;
  const data =
    typeof body === "string"
      ? Buffer.from(body)
      : body && typeof body.data === "string"
        ? Buffer.from(body.data, body.encoding === "base64" ? "base64" : "utf8")
        : Buffer.alloc(0);
  return {
    outcome: "FunctionGeneratedResponse",
    status: Number(output.statusCode),
    headers,
    body: data,
  };
};

const responseHeaders = (output: Record<string, unknown>): Record<string, string | string[]> => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, field] of Object.entries((output.headers ?? {}) as FieldMap)) {
    const values = valuesOf(field);
    headers[name.toLowerCase()] = values.length === 1 ? (values[0] as string) : values;
  }
  const cookies = Object.entries((output.cookies ?? {}) as Record<string, CookieField>).flatMap(
    ([name, field]) => setCookies(name, field),
  );
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  return headers;
};

type CookieField = {
  value: string;
  attributes?: string;
  multiValue?: Array<{ value: string; attributes?: string }>;
};

const setCookies = (name: string, field: CookieField): string[] =>
  (field.multiValue && field.multiValue.length > 0 ? field.multiValue : [field]).map(
    (one) => `${name}=${one.value}${one.attributes ? `; ${one.attributes}` : ""}`,
  );

/** The response as a viewer-response function sees it. */
export const functionResponse = (response: EdgeResponse) => {
  const headerEntries: Array<[string, string]> = [];
  const cookieEntries: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (name === "set-cookie") {
        const eq = one.indexOf("=");
        cookieEntries.push(eq < 0 ? [one, ""] : [one.slice(0, eq), one.slice(eq + 1)]);
      } else {
        headerEntries.push([name, one]);
      }
    }
  }
  return {
    statusCode: response.status,
    statusDescription: "",
    headers: fieldMap(headerEntries),
    cookies: fieldMap(cookieEntries),
  };
};

/** Applies a viewer-response function's result: status, headers and cookies; the body stays. */
export const applyResponseDecision = (
  outcome: FunctionOutcome,
  response: EdgeResponse,
): EdgeResponse => {
  if (!outcome.ok) return functionFailure(outcome);
  const output = outcome.output as Record<string, unknown> | null;
  if (!output || typeof output !== "object" || !("statusCode" in output)) {
    return functionFailure({
      ok: false,
      failure: "execution",
      message: "The viewer-response function did not return a response",
      logs: [],
      elapsedMs: 0,
      cpuMs: 0,
    });
  }
  return { ...response, status: Number(output.statusCode), headers: responseHeaders(output) };
};

/** A function that threw or ran out of its limits: CloudFront answers 503 and serves nothing else. */
const functionFailure = (outcome: Extract<FunctionOutcome, { ok: false }>): EdgeResponse => ({
  ...cloudFrontError(
    503,
    outcome.failure === "limit"
      ? "The CloudFront function associated with the CloudFront distribution was throttled (it exceeded its compute limit)."
      : "The CloudFront function associated with the CloudFront distribution returned an error.",
  ),
  outcome: outcome.failure === "limit" ? "FunctionThrottledError" : "FunctionExecutionError",
});
