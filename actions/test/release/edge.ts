import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import type { ServiceStack } from "../service/cloud";
import { CACHING_DISABLED } from "../web/cloud";

/**
 * A distribution as a production site has it: the SPA from the bucket at "/", the API behind the
 * load balancer at "/api/*", both uncached, so a viewer sees exactly what each origin serves.
 */
export async function createEdge(stack: ServiceStack, bucket: string): Promise<string> {
  const { endpoint, region, credentials } = stack.cloud;
  const created = await new CloudFrontClient({ endpoint, region, credentials }).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `${bucket}-${Date.now()}`,
        Comment: "shipline release test",
        Enabled: true,
        DefaultRootObject: "index.html",
        Origins: {
          Quantity: 2,
          Items: [
            {
              Id: "web",
              DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
              OriginPath: "",
              S3OriginConfig: { OriginAccessIdentity: "" },
            },
            {
              Id: "api",
              DomainName: new URL(stack.lbUrl).hostname,
              CustomOriginConfig: {
                HTTPPort: 80,
                HTTPSPort: 443,
                OriginProtocolPolicy: "http-only",
              },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: "web",
          ViewerProtocolPolicy: "redirect-to-https",
          CachePolicyId: CACHING_DISABLED,
        },
        CacheBehaviors: {
          Quantity: 1,
          Items: [
            {
              PathPattern: "/api/*",
              TargetOriginId: "api",
              ViewerProtocolPolicy: "redirect-to-https",
              CachePolicyId: CACHING_DISABLED,
            },
          ],
        },
      },
    }),
  );
  return created.Distribution?.Id ?? "";
}
