import { type CloudFrontClient, GetDistributionConfigCommand } from "@aws-sdk/client-cloudfront";

/**
 * Whether a distribution answers the previews' hosts: CloudFront serves `pr-<n>.<domain>` only
 * from a distribution with the alias `*.<domain>` (or that very name), under a certificate
 * covering it. Reads only: an alias needs a certificate the account owner issues, so bootstrap
 * says what is missing rather than changing the distribution.
 */
export async function previewAliasAdvice(
  cloudfront: CloudFrontClient,
  distributionIds: string[],
  domain: string,
): Promise<{ ok: boolean; message: string }> {
  const wildcard = `*.${domain}`;
  for (const id of distributionIds) {
    const { DistributionConfig } = await cloudfront.send(
      new GetDistributionConfigCommand({ Id: id }),
    );
    const aliases = (DistributionConfig?.Aliases?.Items ?? []).map((alias) => alias.toLowerCase());
    if (aliases.includes(wildcard)) {
      return { ok: true, message: `distribution ${id} answers the previews' hosts (${wildcard})` };
    }
  }
  return {
    ok: false,
    message: `no distribution of this environment (${distributionIds.join(", ") || "none given"}) has the alias ${wildcard}: add it, with an ACM certificate (us-east-1) covering it, to the distribution that serves previews, and point ${wildcard} at it in DNS; until then pr-<n>.${domain} reaches no distribution`,
  };
}
