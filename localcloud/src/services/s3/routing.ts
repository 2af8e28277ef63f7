import type { AwsRequest } from "../../server/aws-request";

/** The bucket and key a request addresses (path-style, or virtual-hosted `<bucket>.<host>`). */
export interface S3Target {
  bucket?: string;
  key?: string;
}

/**
 * Virtual-hosted style is recognised when the Host header is `<bucket>.` followed by the
 * endpoint's own host name (or `localhost`, which resolves to loopback for any sub-domain).
 */
export const resolveTarget = (request: AwsRequest, endpointHostname: string): S3Target => {
  const host = (request.header("host") ?? "").toLowerCase().replace(/:\d+$/, "");
  const path = request.path;
  for (const suffix of new Set([endpointHostname.toLowerCase(), "localhost"])) {
    if (suffix !== "" && host.endsWith(`.${suffix}`)) {
      const bucket = host.slice(0, -suffix.length - 1);
      const key = path.replace(/^\//, "");
      return key === "" ? { bucket } : { bucket, key };
    }
  }
  const withoutSlash = path.replace(/^\//, "");
  if (withoutSlash === "") return {};
  const slash = withoutSlash.indexOf("/");
  if (slash < 0) return { bucket: withoutSlash };
  const bucket = withoutSlash.slice(0, slash);
  const key = withoutSlash.slice(slash + 1);
  return key === "" ? { bucket } : { bucket, key };
};

const has = (request: AwsRequest, name: string): boolean => name in request.query;

/** Names the S3 operation as AWS does (for the request log, fault rules and dispatch). */
export const operationOf = (request: AwsRequest, target: S3Target): string => {
  const method = request.method.toUpperCase();
  if (target.bucket === undefined) return method === "GET" ? "ListBuckets" : "Unknown";
  if (target.key === undefined) {
    switch (method) {
      case "PUT":
        if (has(request, "policy")) return "PutBucketPolicy";
        return bucketSubresource(request) ? "Unknown" : "CreateBucket";
      case "HEAD":
        return "HeadBucket";
      case "DELETE":
        if (has(request, "policy")) return "DeleteBucketPolicy";
        return bucketSubresource(request) ? "Unknown" : "DeleteBucket";
      case "POST":
        return has(request, "delete") ? "DeleteObjects" : "Unknown";
      case "GET":
        if (has(request, "location")) return "GetBucketLocation";
        if (has(request, "versioning")) return "GetBucketVersioning";
        if (has(request, "policy")) return "GetBucketPolicy";
        if (has(request, "uploads")) return "ListMultipartUploads";
        if (bucketSubresource(request)) return "Unknown";
        return request.query["list-type"] === "2" ? "ListObjectsV2" : "ListObjects";
      default:
        return "Unknown";
    }
  }
  if (has(request, "tagging") || has(request, "acl") || has(request, "retention")) return "Unknown";
  switch (method) {
    case "PUT":
      if (has(request, "uploadId")) {
        return request.header("x-amz-copy-source") ? "UploadPartCopy" : "UploadPart";
      }
      return request.header("x-amz-copy-source") ? "CopyObject" : "PutObject";
    case "GET":
      return has(request, "uploadId") ? "ListParts" : "GetObject";
    case "HEAD":
      return "HeadObject";
    case "DELETE":
      return has(request, "uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    case "POST":
      if (has(request, "uploads")) return "CreateMultipartUpload";
      if (has(request, "uploadId")) return "CompleteMultipartUpload";
      return "Unknown";
    default:
      return "Unknown";
  }
};

/** Bucket sub-resources (`?cors`, `?website`, …) that localcloud does not emulate. */
const UNSUPPORTED_BUCKET_SUBRESOURCES = [
  "cors",
  "website",
  "lifecycle",
  "tagging",
  "acl",
  "encryption",
  "notification",
  "replication",
  "logging",
  "ownershipControls",
  "publicAccessBlock",
  "object-lock",
  "accelerate",
  "requestPayment",
  "analytics",
  "inventory",
  "metrics",
  "intelligent-tiering",
  "versions",
  "versioning",
];

const bucketSubresource = (request: AwsRequest): boolean =>
  UNSUPPORTED_BUCKET_SUBRESOURCES.some((name) => name in request.query);
