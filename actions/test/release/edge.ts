import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import type { ServiceStack } from "../service/cloud";
import { CACHING_DISABLED } from "../web/cloud";

/** Managed-AllViewer: every viewer header reaches the origin, Host included. */
export const ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3";

/**
 * A distribution as a production site has it: the SPA from the bucket at "/", the API behind the
 * load balancer at "/api/*", both uncached, so a viewer sees exactly what each origin serves.
 * `forwardHost`: /api/* sends the viewer's Host to the load balancer (previews' host rules);
 * `aliases`: the alternate domain names the edge answers for.
 */
export async function createEdge(
  stack: ServiceStack,
  bucket: string,
  options: { forwardHost?: boolean; aliases?: string[] } = {},
): Promise<string> {
  const { endpoint, region, credentials } = stack.cloud;
  const created = await new CloudFrontClient({ endpoint, region, credentials }).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `${bucket}-${Date.now()}`,
        Comment: "shipline release test",
        Enabled: true,
        ...(options.aliases?.length
          ? { Aliases: { Quantity: options.aliases.length, Items: options.aliases } }
          : {}),
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
              // An API that takes writes, reached by host.
              ...(options.forwardHost
                ? {
                    OriginRequestPolicyId: ALL_VIEWER,
                    AllowedMethods: {
                      Quantity: 7,
                      Items: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                      CachedMethods: { Quantity: 2, Items: ["GET", "HEAD"] },
                    },
                  }
                : {}),
            },
          ],
        },
      },
    }),
  );
  return created.Distribution?.Id ?? "";
}
