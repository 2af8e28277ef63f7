import { type CloudFrontClient, GetDistributionCommand } from "@aws-sdk/client-cloudfront";
import { ConfigurationError, quote } from "../lib/errors";

export interface DistributionInfo {
  id: string;
  domainName: string;
  /** The key prefix the distribution's origin path for the bucket maps to "/" ("" usually). */
  originPrefix: string;
}

/**
 * Looks every distribution up before anything changes, so a wrong id is a configuration error
 * with nothing uploaded, and learns its domain (for the URL) and origin path (for the paths).
 */
export async function describeDistributions(
  cloudfront: CloudFrontClient,
  ids: string[],
  bucket: string,
): Promise<DistributionInfo[]> {
  return Promise.all(
    ids.map(async (id) => {
      try {
        const { Distribution } = await cloudfront.send(new GetDistributionCommand({ Id: id }));
        const origins = Distribution?.DistributionConfig?.Origins?.Items ?? [];
        const bucketOrigin = origins.find(
          (origin) => origin.DomainName === bucket || origin.DomainName?.startsWith(`${bucket}.s3`),
        );
        const originPath = (bucketOrigin?.OriginPath ?? "").replace(/^\/+/, "");
        return {
          id,
          domainName: Distribution?.DomainName ?? "",
          originPrefix: originPath ? `${originPath.replace(/\/+$/, "")}/` : "",
        };
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === "NoSuchDistribution") {
          throw new ConfigurationError(
            `input "distribution-id" ${quote(id)}: no such CloudFront distribution`,
            { cause: error },
          );
        }
        throw error;
      }
    }),
  );
}

/**
 * The public URL of a key prefix. A CloudFront domain is served over HTTPS; a domain with an
 * explicit port is a local edge (CloudFront's never have one), served over plain HTTP.
 */
export function siteUrl(domainName: string, path: string): string {
  const scheme = /:\d+$/.test(domainName) ? "http" : "https";
  return `${scheme}://${domainName}${path}`;
}
