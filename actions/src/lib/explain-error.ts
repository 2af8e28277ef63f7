import { type FailedCall, failedCallOf } from "./aws-call";
import { ConfigurationError, ShiplineError, TimeoutError } from "./errors";
import { describeFailure, isTransient } from "./retry";

/**
 * Turns the errors of the user's world (no credentials, no region, a permission not granted, a
 * resource that does not exist, expired credentials) into ConfigurationErrors that say what to
 * do. Everything else stays unexplained: a bug, or an answer nobody expected. The one place that
 * decides between "your setup" and "our bug", for the CLI and the actions alike.
 */
export function explainError(error: unknown): ShiplineError | undefined {
  if (error instanceof ShiplineError) return error;
  if (!(error instanceof Error)) return undefined;
  const call = failedCallOf(error);
  // Throttling or 5xx through every attempt the SDK makes: weather that outlasted the retries,
  // not a bug (exit 3), named so the user knows which service was unwell.
  if (isTransient(error)) {
    return new TimeoutError(
      `${operationOf(call)} kept failing (${describeFailure(error)}) through the AWS SDK's retries (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE); nothing was concluded from the missing answers`,
      { cause: error },
    );
  }
  const explained = explainSetup(error, call) ?? explainService(error, call);
  return explained ? new ConfigurationError(explained, { cause: error }) : undefined;
}

/** "S3 PutObject" or "the AWS call": the operation that failed, for the start of a message. */
function operationOf(call: FailedCall | undefined): string {
  return call ? `${call.service} ${call.operation}` : "the AWS call";
}

/** Missing region or credentials: the SDK fails before it sends anything. */
function explainSetup(error: Error, call: FailedCall | undefined): string | undefined {
  if (error.message === "Region is missing") {
    return `no AWS region is set for ${operationOf(call)}: give the "region" input (--region, or region in shipline.yml), or set AWS_REGION, or a region in the AWS profile`;
  }
  if (
    error.name === "CredentialsProviderError" &&
    /could not load credentials/i.test(error.message)
  ) {
    return `no AWS credentials were found for ${operationOf(call)}: in GitHub Actions run aws-actions/configure-aws-credentials (OIDC) before this step; in CircleCI or a terminal set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  return undefined;
}

const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"]);
const BAD_CREDENTIALS = new Set([
  "InvalidAccessKeyId",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
]);
const NOT_FOUND = new Set([
  "NoSuchBucket",
  "ClusterNotFoundException",
  "ServiceNotFoundException",
  "ServiceNotActiveException",
  "RepositoryNotFoundException",
  "NoSuchDistribution",
  "TargetGroupNotFound",
  "TargetGroupNotFoundException",
  "LoadBalancerNotFound",
  "ResourceNotFoundException",
]);

/** Answers of AWS services, named by their error code (the SDK's error name). */
function explainService(error: Error, call: FailedCall | undefined): string | undefined {
  const code = error.name;
  const said = error.message ? `; AWS said: ${error.message}` : "";
  if (ACCESS_DENIED.has(code)) {
    const { action, resource } = permissionOf(error.message, call);
    // EC2-style refusals encode the details; AWS's CLI decodes them for whoever may.
    const decode = /Encoded authorization failure message/i.test(error.message)
      ? ' (read the encoded details with "aws sts decode-authorization-message --encoded-message …")'
      : "";
    return `${operationOf(call)} was denied (${code}): grant ${action} on ${resource} to the role or user shipline runs as${said}${decode}`;
  }
  if (EXPIRED.has(code)) {
    return `the AWS credentials have expired (${code} from ${operationOf(call)}): get fresh ones (re-run configure-aws-credentials, "aws sso login", or new session keys) and run again`;
  }
  if (BAD_CREDENTIALS.has(code)) {
    return `AWS did not accept the credentials (${code} from ${operationOf(call)}): check the access key and secret, or the role that provides them, and that they belong to this account${said}`;
  }
  if (NOT_FOUND.has(code)) {
    const what = missingOf(code, call);
    return `${operationOf(call)} found no${what} (${code}): check the name, the account and the region, or create it first${said}`;
  }
  return undefined;
}

/** " bucket \"name\"" or the call's resource: what was not found, for the message. */
function missingOf(code: string, call: FailedCall | undefined): string {
  const resource = call?.resource;
  if (!resource) return "";
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
  return code === "NoSuchBucket" && bucket ? ` bucket ${JSON.stringify(bucket)}` : ` ${resource}`;
}

/** S3 operations whose IAM action has another name (AWS's "actions defined by Amazon S3"). */
const S3_ACTIONS: Record<string, string> = {
  ListObjectsV2: "ListBucket",
  ListObjects: "ListBucket",
  HeadBucket: "ListBucket",
  HeadObject: "GetObject",
  GetObjectAttributes: "GetObject",
  DeleteObjects: "DeleteObject",
  CreateMultipartUpload: "PutObject",
  UploadPart: "PutObject",
  UploadPartCopy: "PutObject",
  CompleteMultipartUpload: "PutObject",
  CopyObject: "PutObject",
  ListObjectVersions: "ListBucketVersions",
  ListMultipartUploads: "ListBucketMultipartUploads",
};

/**
 * The IAM action and resource to grant: AWS's own words when its message names them ("is not
 * authorized to perform: ecs:UpdateService on resource: arn:…"), else worked out from the call.
 */
export function permissionOf(
  message: string,
  call: FailedCall | undefined,
): { action: string; resource: string } {
  const stated = /not authorized to perform: (\S+?)(?: on resource: (\S+?))?(?:\s|$)/.exec(message);
  const operation = call?.operation ?? "";
  const derived = call
    ? `${call.service}:${call.service === "s3" ? (S3_ACTIONS[operation] ?? operation) : operation}`
    : "the action of the failed call";
  const action = stated?.[1] ?? derived;
  const resource = stated?.[2] ?? call?.resource ?? "the resource it addressed";
  return { action, resource };
}
