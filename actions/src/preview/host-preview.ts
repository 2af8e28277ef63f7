import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import { readWebRelease, type SiteLocation } from "../ledger/site";
import { ConfigurationError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { deletePointer, keyValueStoreArn } from "../web/live-store";
import { hostPreviewLedger, previewHost, previewKey } from "../web/preview-names";
import { keysOfOtherSites } from "../web/shared-sites";
import { applyDestroy, type DestroyResult, planDestroy, reportDestroyPlan } from "./destroy";
import type { PreviewInputs } from "./inputs";

/**
 * Host previews (web-mode atomic): pull request <n>'s preview is a release of the site whose
 * pointer is the store key of its host, pr-<n>.<domain>, and whose manifest is in its own ledger
 * folder. Removing one deletes the key first (the host answers 404 from then on), then the files
 * its manifest names that no other site keeps, then its records.
 */
export interface HostPreviewDeps {
  s3: S3Client;
  cloudfront: () => CloudFrontClient;
  keyValueStore?: () => CloudFrontKeyValueStoreClient;
  logger: Logger;
}

/** The store key of pull request `pr`'s preview. */
export const hostPreviewKey = (inputs: PreviewInputs, pr: number): string =>
  previewKey(previewHost(pr, inputs.domain ?? ""));

/** The deps a host preview's publish adds to publish-web's: its key, and what others keep. */
export function hostPublishDeps(inputs: PreviewInputs, s3: S3Client) {
  const ownLedger = hostPreviewLedger(inputs.ledgerPrefix, inputs.pullRequest);
  return {
    pointerKey: hostPreviewKey(inputs, inputs.pullRequest),
    sharedKeys: () =>
      keysOfOtherSites(s3, {
        bucket: inputs.publish.bucket,
        prefix: inputs.publish.prefix,
        rootLedger: inputs.ledgerPrefix,
        ownLedger,
      }),
  };
}

export async function destroyHostPreview(
  inputs: PreviewInputs,
  pr: number,
  deps: HostPreviewDeps,
): Promise<DestroyResult> {
  const ownLedger = hostPreviewLedger(inputs.ledgerPrefix, pr);
  const site: SiteLocation = {
    bucket: inputs.publish.bucket,
    prefix: inputs.publish.prefix,
    ledgerPrefix: ownLedger,
  };
  const protectedKeys = await keysOfOtherSites(deps.s3, {
    bucket: site.bucket,
    prefix: site.prefix,
    rootLedger: inputs.ledgerPrefix,
    ownLedger,
  });
  const planned = await planDestroy(
    site,
    {
      distributionIds: [],
      deleteLimit: inputs.publish["delete-limit"],
      releaseLabel: `pr-${pr}`,
      protectedKeys,
    },
    deps,
  );
  // A run that died between its PutKey and its manifest left a release only its own record
  // names (written before its pages): those files go too.
  const recorded = await Promise.all(
    planned.records.flatMap((record) => {
      const id = /\/releases\/([^/]+)\.json$/.exec(record)?.[1];
      return id ? [readWebRelease(deps.s3, site, id)] : [];
    }),
  );
  const files = new Set(planned.files);
  for (const release of recorded) {
    for (const file of Object.keys(release?.files ?? {})) {
      if (file.startsWith(site.prefix) && !protectedKeys.has(file)) files.add(file);
    }
  }
  planned.files = [...files].sort();
  if (planned.files.length > inputs.publish["delete-limit"]) {
    throw new ConfigurationError(
      `removing the preview of #${pr} would delete ${planned.files.length} objects, more than input "delete-limit" (${inputs.publish["delete-limit"]}) allows; nothing was deleted`,
    );
  }
  const key = hostPreviewKey(inputs, pr);
  if (!deps.keyValueStore) throw new Error("host previews without a key value store client");
  const arn = await keyValueStoreArn(
    deps.cloudfront(),
    inputs.publish["key-value-store"] ?? "",
    "key-value-store",
  );
  if (inputs.publish["dry-run"]) {
    deps.logger.info(`would delete key ${key} of ${arn}`);
    reportDestroyPlan(planned, deps.logger);
    return { prefix: ownLedger, deleted: 0, invalidationIds: [] };
  }
  const removed = await deletePointer(deps.keyValueStore(), arn, key);
  deps.logger.info(
    removed
      ? `deleted key ${key}: ${previewHost(pr, inputs.domain ?? "")} serves nothing any more`
      : `no key ${key} (already removed)`,
  );
  const result = await applyDestroy(planned, {}, deps);
  return { ...result, prefix: ownLedger };
}
