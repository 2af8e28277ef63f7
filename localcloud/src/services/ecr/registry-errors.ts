import { StoreError } from "./store-errors";

/** The error codes of the OCI Distribution spec (plus DENIED / TOOMANYREQUESTS as ECR sends them). */
export type OciErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "TAG_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "PAGINATION_NUMBER_INVALID"
  | "TOOMANYREQUESTS"
  | "UNKNOWN";

/** An error answered as `{"errors":[{code,message,detail}]}`, with its HTTP status. */
export class OciError extends Error {
  override name = "OciError";
  constructor(
    readonly status: number,
    readonly code: OciErrorCode,
    message: string,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): string {
    return JSON.stringify({
      errors: [
        {
          code: this.code,
          message: this.message,
          ...(this.detail === undefined ? {} : { detail: this.detail }),
        },
      ],
    });
  }
}

/** How the registry reports an image-store refusal (ECR's registry uses these codes). */
export const fromStoreError = (error: StoreError): OciError => {
  switch (error.kind) {
    case "RepositoryNotFound":
      return new OciError(404, "NAME_UNKNOWN", error.message);
    case "ImageNotFound":
      return new OciError(404, "MANIFEST_UNKNOWN", "Requested image not found");
    case "InvalidManifest":
    case "InvalidParameter":
      return new OciError(400, "MANIFEST_INVALID", error.message);
    case "ImageDigestDoesNotMatch":
      return new OciError(400, "DIGEST_INVALID", error.message);
    case "LayersNotFound":
    case "ReferencedImagesNotFound":
      return new OciError(400, "MANIFEST_BLOB_UNKNOWN", error.message, {
        digests: error.digests,
      });
    case "ImageTagAlreadyExists":
      return new OciError(400, "TAG_INVALID", error.message);
    case "ImageReferencedByManifestList":
      return new OciError(409, "DENIED", error.message);
    default:
      return new OciError(400, "UNKNOWN", error.message);
  }
};

export const toOciError = (error: unknown): OciError | undefined => {
  if (error instanceof OciError) return error;
  if (error instanceof StoreError) return fromStoreError(error);
  return undefined;
};
