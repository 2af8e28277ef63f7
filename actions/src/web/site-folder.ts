import picomatch from "picomatch";
import { checkReleaseId } from "../ledger/keys";
import { ConfigurationError, quote } from "../lib/errors";
import { type AssetManifest, readAssetManifest } from "./asset-manifest";
import type { PublishWebInputs } from "./inputs";
import { type LocalFile, walkFolder } from "./walk";

/** S3's longest object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** The built site as checked before anything is written: the files to publish and their facts. */
export interface CheckedSite {
  /** The files to publish (exclusions applied), sorted, hashed. */
  files: LocalFile[];
  /** The build's own description (asset-manifest.json), when it has one. */
  assets: AssetManifest | undefined;
  releaseId: string;
}

/**
 * Walks and checks the folder a publish would upload, so that every problem with it is found
 * before the first write (a key S3 refuses, found mid-publish, would leave a half-written site):
 * an index.html at the top, no file in the ledger's reserved prefix, every key within S3's limit,
 * a release id.
 */
export async function checkSiteFolder(inputs: PublishWebInputs): Promise<CheckedSite> {
  const isExcluded = picomatch(inputs.exclude, { dot: true });
  const walked = await walkFolder(inputs.source);
  const files = walked.filter((file) => !isExcluded(file.path));
  if (!files.some((file) => file.path === "index.html")) {
    throw new ConfigurationError(
      `input "source" ${quote(inputs.source)} has no index.html at its top: is it the built site?`,
    );
  }
  const ledgerClash = files.find((file) =>
    `${inputs.prefix}${file.path}`.startsWith(inputs["ledger-prefix"]),
  );
  if (ledgerClash) {
    throw new ConfigurationError(
      `file ${quote(ledgerClash.path)} would land in the reserved ledger prefix ${quote(inputs["ledger-prefix"])}`,
    );
  }
  const tooLong = files.filter(
    (file) => Buffer.byteLength(`${inputs.prefix}${file.path}`, "utf8") > MAX_KEY_BYTES,
  );
  if (tooLong.length > 0) {
    throw new ConfigurationError(
      `input "source" ${quote(inputs.source)}: ${tooLong.length} file(s) would get an S3 key longer than ${MAX_KEY_BYTES} bytes, e.g. ${quote(tooLong[0]?.path)}: shorten their paths`,
    );
  }
  const assets = await readAssetManifest(walked);
  // A site at the bucket's root is served at "/" whatever the distribution's origin path; one
  // under a prefix is checked once the distributions are read.
  if (inputs.prefix === "") checkBasePath(assets, "/");
  const releaseId = checkReleaseId(
    inputs["release-id"] ?? assets?.releaseId ?? inputs.revision ?? missingReleaseId(),
  );
  return { files, assets, releaseId };
}

function missingReleaseId(): never {
  throw new ConfigurationError(
    'input "release-id" is required (or give "revision", or publish a build whose asset-manifest.json has a releaseId)',
  );
}

/** A build made for another base path would load its assets from the wrong place. */
export function checkBasePath(assets: AssetManifest | undefined, servedAt: string): void {
  if (assets?.basePath !== undefined && assets.basePath !== servedAt) {
    throw new ConfigurationError(
      `the build's base path ${quote(assets.basePath)} (asset-manifest.json) is not where it would be served (${quote(servedAt)}): build it with --base ${servedAt}`,
    );
  }
}
