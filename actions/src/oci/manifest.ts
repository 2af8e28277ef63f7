import { describeJson } from "./config";
import { MediaType } from "./media-types";
import type { Descriptor, ImageIndex, ImageManifest, RawManifest } from "./types";

/**
 * Builds the manifest of the new image: the base's layers, then the new one. OCI manifests carry
 * annotations (base image name and digest); Docker schema 2 has no annotations field, so for a
 * Docker base they are left to the config labels.
 */
export function buildManifest(options: {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}): RawManifest {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: options.mediaType,
    config: stripDescriptor(options.config),
    layers: options.layers.map(stripDescriptor),
  };
  if (options.mediaType === MediaType.ociManifest && options.annotations) {
    manifest.annotations = options.annotations;
  }
  const { bytes, digest } = describeJson(manifest);
  return { mediaType: options.mediaType, bytes, digest };
}

/** Keeps only the fields a descriptor in a manifest should carry. */
function stripDescriptor(descriptor: Descriptor): Descriptor {
  const { mediaType, digest, size, annotations } = descriptor;
  return annotations ? { mediaType, digest, size, annotations } : { mediaType, digest, size };
}

export function parseManifest(raw: RawManifest): ImageManifest | ImageIndex {
  return JSON.parse(raw.bytes.toString("utf8")) as ImageManifest | ImageIndex;
}

export function isIndex(value: ImageManifest | ImageIndex): value is ImageIndex {
  return Array.isArray((value as ImageIndex).manifests);
}
