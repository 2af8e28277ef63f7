/** Media types of the OCI image spec and of Docker's image manifest v2, schema 2. */
export const MediaType = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerTar: "application/vnd.oci.image.layer.v1.tar",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export const INDEX_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];
export const IMAGE_MANIFEST_TYPES: readonly string[] = [
  MediaType.ociManifest,
  MediaType.dockerManifest,
];
/** What we accept when fetching a manifest: images and indexes, both flavours. */
export const ALL_MANIFEST_TYPES: readonly string[] = [...IMAGE_MANIFEST_TYPES, ...INDEX_TYPES];

export type ImageFlavour = "oci" | "docker";

export function flavourOf(manifestMediaType: string): ImageFlavour {
  return manifestMediaType === MediaType.dockerManifest ? "docker" : "oci";
}

/** A new gzip layer must use the same flavour of media type as the image it is appended to. */
export function gzipLayerTypeFor(flavour: ImageFlavour): string {
  return flavour === "docker" ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip;
}
