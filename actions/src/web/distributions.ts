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
        if (!bucketOrigin) {
          // Publishing would change nothing it serves, and invalidating it would purge for nothing.
          const domains = origins.map((origin) => quote(origin.DomainName ?? "")).join(", ");
          throw new ConfigurationError(
            `input "distribution-id" ${quote(id)} does not serve bucket ${quote(bucket)} (its origins: ${domains || "none"}): give the distribution whose origin is the bucket, or the bucket it serves`,
          );
        }
        const originPath = (bucketOrigin?.OriginPath ?? "").replace(/^\/+/, "");
        return {
          id,
          domainName: Distribution?.DomainName ?? "",
          originPrefix: originPath ? `${originPath.replace(/\/+$/, "")}/` : "",
        };
      } catch (error) {
        if (error instanceof ConfigurationError) throw error;
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
 * A distribution serves only the keys under its origin path: a site published elsewhere in the
 * bucket would never be seen through it. The fix is the prefix, not the build's base path.
 */
export function checkServedPrefix(prefix: string, distributions: DistributionInfo[]): void {
  for (const distribution of distributions) {
    if (prefix.startsWith(distribution.originPrefix)) continue;
    const origin = distribution.originPrefix;
    throw new ConfigurationError(
      `the site's prefix ${quote(prefix)} is outside the origin path ${quote(`/${origin.slice(0, -1)}`)} of distribution ${distribution.id}, which serves only keys under ${quote(origin)}: publish with --prefix ${quote(`${origin}${prefix}`)} to serve the site at ${quote(`/${prefix}`)} (and build it with --base ${quote(`/${prefix}`)})`,
    );
  }
}

/**
 * The public URL of a key prefix. A CloudFront domain is served over HTTPS; a domain with an
 * explicit port is a local edge (CloudFront's never have one), served over plain HTTP.
 */
export function siteUrl(domainName: string, path: string): string {
  const scheme = /:\d+$/.test(domainName) ? "http" : "https";
  return `${scheme}://${domainName}${path}`;
}
