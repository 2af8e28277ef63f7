import type { AwsRequest } from "../server/aws-request";
import { AwsError } from "../server/errors";
import { formParams, xmlResponse } from "../server/protocols";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "./service";

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** STS: who am I. A fixed test account; the caller's access key is echoed as AWS does. */
export const stsService: ServiceFactory = {
  name: "sts",
  create: (context) => createStsService(context),
};

const createStsService = (context: ServiceContext): LocalcloudService => ({
  name: "sts",
  signingName: "sts",
  protocol: "query",
  xmlns: XMLNS,
  throttlingError: { code: "Throttling", status: 400, message: "Rate exceeded" },
  operationOf: (request: AwsRequest) => formParams(request).Action ?? "Unknown",
  async handle(request, operation) {
    if (operation !== "GetCallerIdentity") {
      throw new AwsError(
        "InvalidAction",
        `Could not find operation ${operation} for version 2011-06-15`,
      );
    }
    return xmlResponse({
      GetCallerIdentityResponse: {
        "@_xmlns": XMLNS,
        GetCallerIdentityResult: {
          Arn: `arn:aws:iam::${context.accountId}:user/localcloud`,
          UserId: request.accessKeyId,
          Account: context.accountId,
        },
        ResponseMetadata: { RequestId: request.requestId },
      },
    });
  },
});
