import { XMLParser } from "fast-xml-parser";
import type { AwsResponse } from "../../server/aws-request";
import { xmlResponse } from "../../server/protocols";
import { s3Errors } from "./errors";

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Keys such as "007" or "true" must stay strings.
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === "Object" || name === "Part",
});

/** Parses a request document; anything unparsable or without the expected root is MalformedXML. */
export const parseXmlBody = (body: Buffer, root: string): Record<string, unknown> => {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(body.toString("utf8"), true) as Record<string, unknown>;
  } catch {
    throw s3Errors.malformedXml();
  }
  const document = parsed[root];
  if (document === undefined) throw s3Errors.malformedXml();
  return typeof document === "object" && document !== null
    ? (document as Record<string, unknown>)
    : {};
};

/** An S3 result document with the S3 namespace on its root element. */
export const s3XmlResponse = (
  root: string,
  content: Record<string, unknown>,
  headers: Record<string, string> = {},
): AwsResponse =>
  xmlResponse({ [root]: { "@_xmlns": S3_XMLNS, ...content } }, 200, {
    "content-type": "application/xml",
    ...headers,
  });

/** S3 timestamps in documents: ISO 8601 with milliseconds. */
export const isoTime = (value: string | Date): string => new Date(value).toISOString();
