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
