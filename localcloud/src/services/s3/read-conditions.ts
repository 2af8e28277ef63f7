import type { AwsRequest } from "../../server/aws-request";
import { s3Errors } from "./errors";
import type { ObjectRecord } from "./model";
import { etagMatches } from "./store";

/** What the conditional headers of a GET/HEAD decide: serve, or answer 304 Not Modified. */
export type ReadDecision = "serve" | "not-modified";

const parseHttpDate = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
};

/**
 * RFC 7232 as S3 applies it: If-Match (else If-Unmodified-Since) fails with 412; If-None-Match
 * (else If-Modified-Since) answers 304. Times compare at the one-second precision of HTTP dates.
 */
export const evaluateReadConditions = (request: AwsRequest, object: ObjectRecord): ReadDecision => {
  const modified = Math.floor(Date.parse(object.lastModified) / 1000) * 1000;
  const ifMatch = request.header("if-match");
  const ifNoneMatch = request.header("if-none-match");
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, object.etag)) throw s3Errors.preconditionFailed("If-Match");
  } else {
    const unmodifiedSince = parseHttpDate(request.header("if-unmodified-since"));
    if (unmodifiedSince !== undefined && modified > unmodifiedSince) {
      throw s3Errors.preconditionFailed("If-Unmodified-Since");
    }
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, object.etag)) return "not-modified";
  } else {
    const modifiedSince = parseHttpDate(request.header("if-modified-since"));
    if (modifiedSince !== undefined && modified <= modifiedSince) return "not-modified";
  }
  return "serve";
};
