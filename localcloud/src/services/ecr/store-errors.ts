/**
 * What can go wrong in the image store, named after ECR's exceptions. The ECR API and the registry
 * each translate these into their own wire form (an AWS error, an OCI error code).
 */
export type StoreErrorKind =
  | "RepositoryNotFound"
  | "RepositoryAlreadyExists"
  | "RepositoryNotEmpty"
  | "ImageNotFound"
  | "ImageAlreadyExists"
  | "ImageTagAlreadyExists"
  | "ImageDigestDoesNotMatch"
  | "LayersNotFound"
  | "ReferencedImagesNotFound"
  | "ImageReferencedByManifestList"
  | "InvalidManifest"
  | "LifecyclePolicyNotFound"
  | "InvalidParameter";

export class StoreError extends Error {
  override name = "StoreError";
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** Digests the error is about (missing layers, missing child manifests). */
    readonly digests: string[] = [],
  ) {
    super(message);
  }
}
