import { z } from "zod";

/** The manifest media types ECR accepts for images and image indexes. */
export const MEDIA_TYPES = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

const IMAGE_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.ociManifest,
]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]);

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, "a sha256 digest"),
  size: z.number().int().nonnegative(),
});

const imageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
});

const indexManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptor),
});

/** What the store needs to know about a manifest to check and describe it. */
export interface ParsedManifest {
  mediaType: string;
  kind: "image" | "index";
  /** Blobs an image manifest references (config first, then layers). */
  blobs: Array<{ digest: string; size: number; mediaType?: string }>;
  /** Manifests an index references. */
  children: string[];
  /** The config's media type: ECR's `artifactMediaType`. */
  artifactMediaType?: string;
  /** Sum of the layer sizes: ECR's `imageSizeInBytes` for an image. */
  layersSize: number;
}

export class ManifestError extends Error {
  override name = "ManifestError";
}

/**
 * Parses a manifest and settles its media type: the one declared by the client (Content-Type or
 * PutImage's imageManifestMediaType) must agree with the manifest's own `mediaType` field; when
 * neither says, the shape decides (an OCI manifest may omit the field).
 */
export const parseManifest = (bytes: Buffer, declared?: string): ParsedManifest => {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ManifestError("manifest is not valid JSON");
  }
  if (typeof json !== "object" || json === null)
    throw new ManifestError("manifest is not an object");
  const own = (json as { mediaType?: unknown }).mediaType;
  const ownType = typeof own === "string" ? own : undefined;
  const declaredType = declared && declared !== "application/json" ? declared : undefined;
  if (declaredType && ownType && declaredType !== ownType) {
    throw new ManifestError(
      `media type ${declaredType} does not match the manifest's mediaType ${ownType}`,
    );
  }
  const inferred = "manifests" in json ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  const mediaType = declaredType ?? ownType ?? inferred;

  if (IMAGE_TYPES.has(mediaType)) {
    const parsed = imageManifest.safeParse(json);
    if (!parsed.success) throw new ManifestError(`invalid image manifest: ${parsed.error.message}`);
    const { config, layers } = parsed.data;
    return {
      mediaType,
      kind: "image",
      blobs: [config, ...layers],
      children: [],
      ...(config.mediaType ? { artifactMediaType: config.mediaType } : {}),
      layersSize: layers.reduce((sum, layer) => sum + layer.size, 0),
    };
  }
  if (INDEX_TYPES.has(mediaType)) {
    const parsed = indexManifest.safeParse(json);
    if (!parsed.success) throw new ManifestError(`invalid image index: ${parsed.error.message}`);
    return {
      mediaType,
      kind: "index",
      blobs: [],
      children: parsed.data.manifests.map((entry) => entry.digest),
      layersSize: 0,
    };
  }
  throw new ManifestError(`unsupported manifest media type ${mediaType}`);
};
