import type { IncomingHttpHeaders } from "node:http";
import type { HttpRequest } from "@smithy/types";
import type { Credentials } from "../config";
import { AwsError } from "./errors";
import type { SignatureScope } from "./sigv4-verify";

export interface VerifyInput {
  scope: SignatureScope;
  method: string;
  rawPath: string;
  query: Record<string, string[]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  credentials: Credentials;
}

/** 20240102T030405Z → Date */
const parseAmzDate = (value: string): Date | null => {
  const m = value.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
};

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The request as the client signed it (only its signed headers), in the shape the SDK's signers
 * take, with the signing date; null when a header the client says it signed is missing.
 */
export const signableRequest = (
  input: VerifyInput,
): { request: HttpRequest; signingDate: Date } | null => {
  const { scope, headers } = input;
  const amzDate = headerValue(headers, "x-amz-date") ?? headerValue(headers, "date");
  const signingDate = amzDate ? parseAmzDate(amzDate) : null;
  if (!signingDate) throw new AwsError("IncompleteSignature", "Missing X-Amz-Date header", 403);

  const signedHeaders: Record<string, string> = {};
  for (const name of scope.signedHeaders) {
    const value = headers[name];
    if (value === undefined) return null;
    signedHeaders[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(input.query)) {
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return {
    signingDate,
    request: {
      method: input.method,
      protocol: "http:",
      hostname: signedHeaders.host ?? "localhost",
      path: input.rawPath,
      query,
      headers: signedHeaders,
      body: input.body.length > 0 ? input.body : undefined,
    },
  };
};
