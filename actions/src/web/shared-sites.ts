import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { bucketError, readSiteManifest, type SiteLocation } from "../ledger/site";
import { keptReleases } from "./manifest";
import { HOST_PREVIEWS_FOLDER, hostPreviewLedger } from "./preview-names";

/**
 * Host previews (web-mode atomic) are releases of the production site: their pages under
 * `releases/<id>/` and their hashed assets at the same shared keys as production's. Each preview
 * keeps its own manifest, in a ledger folder of its own (`<ledger>previews/pr-<n>/`), so its
 * retention and its removal go by its own releases; what another site's kept releases use (an
 * asset production and a preview both load) is never deleted by either.
 */

/** The pull requests with a host preview recorded (one listing per 1,000). */
export async function hostPreviews(
  s3: S3Client,
  bucket: string,
  ledgerPrefix: string,
): Promise<number[]> {
  const numbers: number[] = [];
  let token: string | undefined;
  do {
    const page = await s3
      .send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${ledgerPrefix}${HOST_PREVIEWS_FOLDER}`,
          Delimiter: "/",
          ...(token ? { ContinuationToken: token } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw bucketError(error, bucket) ?? error;
      });
    for (const common of page.CommonPrefixes ?? []) {
      const match = /pr-(\d+)\/$/.exec(common.Prefix ?? "");
      if (match) numbers.push(Number(match[1]));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return numbers.sort((a, b) => a - b);
}

/**
 * Every key the kept releases of the site's other manifests use: production's and each host
 * preview's, except the one at `ownLedger`. Reads only (one listing, one GET per site).
 */
export async function keysOfOtherSites(
  s3: S3Client,
  site: { bucket: string; prefix: string; rootLedger: string; ownLedger: string },
): Promise<Set<string>> {
  const ledgers = [
    site.rootLedger,
    ...(await hostPreviews(s3, site.bucket, site.rootLedger)).map((pr) =>
      hostPreviewLedger(site.rootLedger, pr),
    ),
  ].filter((ledger) => ledger !== site.ownLedger);
  const manifests = await Promise.all(
    ledgers.map((ledgerPrefix) =>
      readSiteManifest(s3, {
        bucket: site.bucket,
        prefix: site.prefix,
        ledgerPrefix,
      } satisfies SiteLocation),
    ),
  );
  const keys = new Set<string>();
  for (const manifest of manifests) {
    if (!manifest) continue;
    for (const release of keptReleases(manifest)) {
      for (const key of Object.keys(release.files)) keys.add(key);
    }
  }
  return keys;
}
