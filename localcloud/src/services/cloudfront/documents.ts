import type { AwsRequest, AwsResponse } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { toXml } from "../../server/protocols";
import { API_VERSION } from "./routes";
import type { StoredDistribution, StoredInvalidation } from "./store";
import { list, type XmlNode } from "./xml";

export const XMLNS = `http://cloudfront.amazonaws.com/doc/${API_VERSION}/`;

/** The response documents CloudFront returns, built from stored records. */

export const distributionStatus = (distribution: StoredDistribution, now: number): string =>
  now >= distribution.deployedAt ? "Deployed" : "InProgress";

export const distributionArn = (accountId: string, id: string): string =>
  `arn:aws:cloudfront::${accountId}:distribution/${id}`;

export const distributionDocument = (
  distribution: StoredDistribution,
  context: { accountId: string; domainName: string; now: number },
): XmlNode => ({
  Id: distribution.id,
  ARN: distributionArn(context.accountId, distribution.id),
  Status: distributionStatus(distribution, context.now),
  LastModifiedTime: distribution.lastModifiedTime,
  InProgressInvalidationBatches: String(
    distribution.invalidations.filter((i) => i.status === "InProgress").length,
  ),
  DomainName: context.domainName,
  ActiveTrustedSigners: { Enabled: "false", Quantity: "0" },
  ActiveTrustedKeyGroups: { Enabled: "false", Quantity: "0" },
  DistributionConfig: distribution.config,
});

/** A DistributionSummary: the distribution's identity plus most of its config, flattened. */
export const distributionSummary = (
  distribution: StoredDistribution,
  context: { accountId: string; domainName: string; now: number },
): XmlNode => {
  const config = distribution.config;
  return {
    Id: distribution.id,
    ARN: distributionArn(context.accountId, distribution.id),
    Status: distributionStatus(distribution, context.now),
    LastModifiedTime: distribution.lastModifiedTime,
    DomainName: context.domainName,
    Aliases: config.Aliases ?? list("CNAME", []),
    Origins: config.Origins ?? list("Origin", []),
    DefaultCacheBehavior: config.DefaultCacheBehavior ?? {},
    CacheBehaviors: config.CacheBehaviors ?? list("CacheBehavior", []),
    CustomErrorResponses: config.CustomErrorResponses ?? list("CustomErrorResponse", []),
    Comment: config.Comment ?? "",
    PriceClass: config.PriceClass ?? "PriceClass_All",
    Enabled: config.Enabled ?? "false",
    ViewerCertificate: config.ViewerCertificate ?? {
      CloudFrontDefaultCertificate: "true",
      CertificateSource: "cloudfront",
    },
    Restrictions: config.Restrictions ?? {
      GeoRestriction: { RestrictionType: "none", Quantity: "0" },
    },
    WebACLId: config.WebACLId ?? "",
    HttpVersion: config.HttpVersion ?? "http2",
    IsIPV6Enabled: config.IsIPV6Enabled ?? "true",
    Staging: config.Staging ?? "false",
  };
};

export const invalidationDocument = (invalidation: StoredInvalidation): XmlNode => ({
  Id: invalidation.id,
  Status: invalidation.status,
  CreateTime: invalidation.createTime,
  InvalidationBatch: {
    Paths: list("Path", invalidation.paths),
    CallerReference: invalidation.callerReference,
  },
});

export const invalidationSummary = (invalidation: StoredInvalidation): XmlNode => ({
  Id: invalidation.id,
  CreateTime: invalidation.createTime,
  Status: invalidation.status,
});

/** A Marker/MaxItems page of a list, as CloudFront paginates (Marker = last id of the previous page). */
export const page = <T extends { id: string }>(
  all: T[],
  marker: string | undefined,
  maxItems: number,
): { items: T[]; nextMarker?: string } => {
  const start = marker ? all.findIndex((item) => item.id === marker) + 1 : 0;
  const items = all.slice(start, start + maxItems);
  const last = items[items.length - 1];
  return start + maxItems < all.length && last ? { items, nextMarker: last.id } : { items };
};

/** A response document with CloudFront's namespace on its root element. */
export const xml = (
  document: Record<string, XmlNode>,
  status = 200,
  headers: Record<string, string> = {},
): AwsResponse => {
  const [rootName, root] = Object.entries(document)[0] as [string, XmlNode];
  return {
    status,
    headers: { "content-type": "text/xml", ...headers },
    body: toXml({ [rootName]: { "@_xmlns": XMLNS, ...root } }),
  };
};

/** The Marker and MaxItems query parameters of a List call (MaxItems defaults to 100). */
export const pagingOf = (request: AwsRequest): { marker: string | undefined; maxItems: number } => {
  const maxItems = Number(request.query.MaxItems ?? 100);
  if (!Number.isInteger(maxItems) || maxItems < 1) {
    throw new AwsError(
      "InvalidArgument",
      `MaxItems must be a positive integer, got "${request.query.MaxItems}".`,
    );
  }
  return { marker: request.query.Marker || undefined, maxItems: Math.min(maxItems, 1000) };
};
