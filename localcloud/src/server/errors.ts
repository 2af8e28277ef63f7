/**
 * An error that localcloud returns to the client in the service's own wire format,
 * with AWS's error code and HTTP status.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra fields some errors carry (S3's <Key>, <BucketName>, …). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AwsError";
  }

  /** Who is at fault, as the Query/CloudFront error <Type> says. */
  get type(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}

/** The shape of an error a service returns for a fault class (throttling, internal error). */
export interface AwsErrorShape {
  code: string;
  status: number;
  message: string;
}

export const toAwsError = (shape: AwsErrorShape): AwsError =>
  new AwsError(shape.code, shape.message, shape.status);

/**
 * What a bug in a handler is answered with: AWS's generic 500 of the protocol (S3 says
 * InternalError, the Query and JSON services InternalFailure), so the client's SDK reads it as a
 * server error it may retry, not as a body it cannot parse.
 */
export const internalFailure = (protocol: string): AwsError =>
  new AwsError(
    protocol === "rest-xml-s3" ? "InternalError" : "InternalFailure",
    "We encountered an internal error. Please try again.",
    500,
  );

/**
 * AWS's answer to a call that no policy allows, per protocol: S3 says only "Access Denied"; the
 * JSON and Query services name the caller and the action.
 */
export const accessDenied = (options: {
  protocol: string;
  accountId: string;
  action: string;
}): AwsError => {
  if (options.protocol === "rest-xml-s3") return new AwsError("AccessDenied", "Access Denied", 403);
  const message = `User: arn:aws:iam::${options.accountId}:user/localcloud is not authorized to perform: ${options.action} because no identity-based policy allows the ${options.action} action`;
  return options.protocol === "json" || options.protocol === "rest-json"
    ? new AwsError("AccessDeniedException", message, 400)
    : new AwsError("AccessDenied", message, 403);
};
