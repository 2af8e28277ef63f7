import { AwsError } from "../../server/errors";

/** A distribution's alternate domain names, as another distribution's config is checked against. */
export interface AliasHolder {
  id: string;
  aliases: string[];
}

/**
 * CloudFront's rule for alternate domain names across distributions (Developer Guide, "Use
 * custom URLs by adding alternate domain names", restrictions): the same name cannot be on two
 * distributions, even in one account (`CNAMEAlreadyExists`, 409). A wildcard that covers another
 * distribution's name (`*.example.com` and `www.example.com`) is allowed in one account (and
 * localcloud is one account): requests then go to the more specific name. So only identical
 * names conflict, wildcards compared as written (`*.example.com` on two distributions conflicts).
 * Names are compared in lower case, as CloudFront requires them to be.
 */
export const checkAliasesFree = (
  distributionId: string | undefined,
  aliases: string[],
  others: AliasHolder[],
): void => {
  const wanted = new Set(aliases.map((alias) => alias.toLowerCase()));
  for (const other of others) {
    if (other.id === distributionId) continue;
    const taken = other.aliases.find((alias) => wanted.has(alias.toLowerCase()));
    if (taken !== undefined) {
      throw new AwsError(
        "CNAMEAlreadyExists",
        `One or more of the CNAMEs you provided are already associated with a different resource: ${taken}.`,
        409,
      );
    }
  }
};
