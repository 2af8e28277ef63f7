import type { AwsRequest } from "../../server/aws-request";
import { AwsError } from "../../server/errors";

/** CloudFront's optimistic locking: the If-Match header must name the resource's current ETag. */
export const checkIfMatch = (request: AwsRequest, currentETag: string): void => {
  const ifMatch = request.header("if-match");
  if (!ifMatch) {
    throw new AwsError(
      "InvalidIfMatchVersion",
      "The If-Match version is missing or not valid for the resource.",
    );
  }
  if (ifMatch !== currentETag) {
    throw new AwsError(
      "PreconditionFailed",
      "The precondition given in one or more of the request-header fields evaluated to false.",
      412,
    );
  }
};
