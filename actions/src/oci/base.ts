import { ConfigurationError, quote } from "../lib/errors";
import { isIndex, parseManifest } from "./manifest";
import { IMAGE_MANIFEST_TYPES } from "./media-types";
import { formatPlatform, platformMatches } from "./platform";
import type { ImageSource } from "./source";
import type { ImageConfig, ImageManifest, Platform } from "./types";

/** The base image, pinned: the platform's own manifest (never a tag, never an index). */
export interface ResolvedBase {
  /** Where it came from plus the requested tag, for the base.name annotation. */
  name: string;
  /** Digest of the platform manifest: the pin. */
  digest: string;
  mediaType: string;
  manifest: ImageManifest;
  config: ImageConfig;
  source: ImageSource;
}

/** BuildKit stores provenance/SBOM attestations in the index as unknown/unknown platforms. */
const ATTESTATION = "vnd.docker.reference.type";

/**
 * Resolves a base image reference (a tag or a digest) for one platform: an index is narrowed to
 * the platform's manifest (attestation entries skipped); a single manifest must match it.
 */
export async function resolveBase(
  source: ImageSource,
  reference: string,
  platform: Platform,
): Promise<ResolvedBase> {
  const display = `${source.name}${reference.startsWith("sha256:") ? "@" : reference ? ":" : ""}${reference}`;
  let raw = await source.getManifest(reference);
  if (!raw) throw new ConfigurationError(`base image ${quote(display)} was not found`);
  const parsed = parseManifest(raw);
  if (isIndex(parsed)) {
    const candidates = parsed.manifests.filter(
      (entry) =>
        entry.annotations?.[ATTESTATION] === undefined &&
        IMAGE_MANIFEST_TYPES.includes(entry.mediaType),
    );
    const chosen = candidates.find((entry) => platformMatches(entry.platform, platform));
    if (!chosen) {
      const available = candidates.map((entry) =>
        entry.platform ? formatPlatform(entry.platform) : "?",
      );
      throw new ConfigurationError(
        `base image ${quote(display)} has no ${formatPlatform(platform)} image (it has: ${available.join(", ") || "none"})`,
      );
    }
    raw = await source.getManifest(chosen.digest);
    if (!raw)
      throw new ConfigurationError(
        `base image ${quote(display)} lists ${chosen.digest}, which is missing`,
      );
  }
  const manifest = parseManifest(raw);
  if (isIndex(manifest) || !IMAGE_MANIFEST_TYPES.includes(raw.mediaType)) {
    throw new ConfigurationError(
      `base image ${quote(display)} is not an image (media type ${quote(raw.mediaType)})`,
    );
  }
  const config = JSON.parse(
    (await source.getBlob(manifest.config.digest)).toString("utf8"),
  ) as ImageConfig;
  if (config.os && config.architecture && !platformMatches(config as Platform, platform)) {
    throw new ConfigurationError(
      `base image ${quote(display)} is ${config.os}/${config.architecture}, not ${formatPlatform(platform)}`,
    );
  }
  return { name: display, digest: raw.digest, mediaType: raw.mediaType, manifest, config, source };
}
