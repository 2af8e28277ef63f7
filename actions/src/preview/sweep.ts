import { type ECSClient, ListServicesCommand } from "@aws-sdk/client-ecs";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { siteName } from "../ledger/keys";
import { bucketError } from "../ledger/site";

/** The pull requests that have a preview, from the ledger's site folders (one listing). */
export async function publishedPreviews(
  s3: S3Client,
  bucket: string,
  ledgerPrefix: string,
  previewsPrefix: string,
): Promise<number[]> {
  const folder = `${ledgerPrefix}web/${siteName(previewsPrefix)}/`;
  const numbers: number[] = [];
  let token: string | undefined;
  do {
    const page = await s3
      .send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: folder,
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

/** Previews whose pull request is no longer open. */
export function stalePreviews(published: number[], open: number[]): number[] {
  const stillOpen = new Set(open);
  return published.filter((pr) => !stillOpen.has(pr));
}

/** The pull requests whose API service (`<service>-pr-<n>`) is in the cluster. */
export async function publishedPreviewApis(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<number[]> {
  const pattern = new RegExp(
    `:service/(?:[^/]+/)?${service.replace(/[^A-Za-z0-9]/g, "\\$&")}-pr-(\\d+)$`,
  );
  const numbers: number[] = [];
  let token: string | undefined;
  do {
    const page = await ecs.send(
      new ListServicesCommand({ cluster, ...(token ? { nextToken: token } : {}) }),
    );
    for (const arn of page.serviceArns ?? []) {
      const match = pattern.exec(arn);
      if (match) numbers.push(Number(match[1]));
    }
    token = page.nextToken;
  } while (token);
  return numbers.sort((a, b) => a - b);
}
