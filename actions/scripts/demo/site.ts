import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { DEFAULT_LEDGER_PREFIX } from "../../src/ledger/keys";
import type { CloudEndpoint } from "./stack";

const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CLOUDFRONT = "cloudfront.amazonaws.com";

/**
 * The site bucket's policy, as AWS documents it for an Origin Access Control: the distribution may
 * read the bucket, and nothing else may. shipline keeps its ledger (releases, manifests, the
 * deploy lock) in the same bucket under `.shipline/`; those records name every file of every
 * release and who deployed it, so an explicit Deny keeps the distribution from ever reading them.
 * A request for `/.shipline/…` then gets S3's AccessDenied, which the distribution answers like
 * any unknown path (the SPA's index.html): the ledger never leaves the bucket.
 */
export function siteBucketPolicy(
  bucket: string,
  distributionArn: string,
  ledgerPrefix = DEFAULT_LEDGER_PREFIX,
): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowCloudFrontServicePrincipalReadOnly",
        Effect: "Allow",
        Principal: { Service: CLOUDFRONT },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
      },
      {
        Sid: "KeepShiplineLedgerPrivate",
        Effect: "Deny",
        Principal: { Service: CLOUDFRONT },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${bucket}/${ledgerPrefix}*`,
      },
    ],
  });
}

/**
 * The deploy bucket and the distribution in front of it: the bucket for every path, `/api/*` to
 * the load balancer uncached, the SPA's index.html for paths S3 refuses. Returns the
 * distribution's id.
 */
export async function createSite(
  cloud: CloudEndpoint,
  site: { bucket: string; apiDomain: string },
): Promise<string> {
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: site.bucket }));
  const created = await new CloudFrontClient(config).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `shipline-demo-${Date.now()}`,
        Comment: "shipline demo",
        Enabled: true,
        DefaultRootObject: "index.html",
        Origins: {
          Quantity: 2,
          Items: [
            {
              Id: "web",
              DomainName: `${site.bucket}.s3.${cloud.region}.amazonaws.com`,
              OriginPath: "",
              S3OriginConfig: { OriginAccessIdentity: "" },
            },
            {
              Id: "api",
              DomainName: site.apiDomain,
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
          CachePolicyId: CACHING_OPTIMIZED,
        },
        CacheBehaviors: {
          Quantity: 1,
          Items: [
            {
              PathPattern: "/api/*",
              TargetOriginId: "api",
              ViewerProtocolPolicy: "redirect-to-https",
              CachePolicyId: CACHING_DISABLED,
              AllowedMethods: {
                Quantity: 7,
                Items: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                CachedMethods: { Quantity: 2, Items: ["GET", "HEAD"] },
              },
            },
          ],
        },
        CustomErrorResponses: {
          Quantity: 1,
          Items: [
            {
              ErrorCode: 403,
              ResponsePagePath: "/index.html",
              ResponseCode: "200",
              ErrorCachingMinTTL: 0,
            },
          ],
        },
      },
    }),
  );
  const distribution = created.Distribution;
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: site.bucket,
      Policy: siteBucketPolicy(site.bucket, distribution?.ARN ?? ""),
    }),
  );
  return distribution?.Id ?? "";
}
