import type { RegistryHandler } from "./registry-call";

export interface RouteHandlers {
  headBlob: RegistryHandler;
  getBlob: RegistryHandler;
  startUpload: RegistryHandler;
  patchUpload: RegistryHandler;
  completeUpload: RegistryHandler;
  uploadStatus: RegistryHandler;
  cancelUpload: RegistryHandler;
  headManifest: RegistryHandler;
  getManifest: RegistryHandler;
  putManifest: RegistryHandler;
  deleteManifest: RegistryHandler;
  listTags: RegistryHandler;
}

export interface Route {
  /** The name the request log and fault rules use (HeadBlob, PutManifest, …). */
  operation: string;
  repository: string;
  target: string;
  handler?: RegistryHandler;
}

const NAME = "([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)";

/**
 * Maps a method and path of the Distribution API to an operation. Repository names contain
 * slashes, so each pattern anchors on the fixed segment that follows the name.
 */
export const route = (method: string, path: string, url: URL, h: RouteHandlers): Route => {
  if (path === "/v2/" || path === "/v2")
    return { operation: "CheckApi", repository: "", target: "" };

  let match = new RegExp(`^/v2/${NAME}/tags/list$`).exec(path);
  if (match) return on(match, "ListTags", method, { GET: h.listTags });

  match = new RegExp(`^/v2/${NAME}/manifests/([^/]+)$`).exec(path);
  if (match) {
    const operations: Record<string, [string, RegistryHandler]> = {
      HEAD: ["HeadManifest", h.headManifest],
      GET: ["GetManifest", h.getManifest],
      PUT: ["PutManifest", h.putManifest],
      DELETE: ["DeleteManifest", h.deleteManifest],
    };
    return pick(match, method, operations);
  }

  match = new RegExp(`^/v2/${NAME}/blobs/uploads/?$`).exec(path);
  if (match) {
    const operation = url.searchParams.has("mount")
      ? "MountBlob"
      : url.searchParams.has("digest")
        ? "UploadBlob"
        : "StartUpload";
    return on(match, operation, method, { POST: h.startUpload });
  }

  match = new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`).exec(path);
  if (match) {
    return pick(match, method, {
      GET: ["GetUploadStatus", h.uploadStatus],
      PATCH: ["PatchUpload", h.patchUpload],
      PUT: ["CompleteUpload", h.completeUpload],
      DELETE: ["CancelUpload", h.cancelUpload],
    });
  }

  match = new RegExp(`^/v2/${NAME}/blobs/([^/]+)$`).exec(path);
  if (match) {
    return pick(match, method, {
      HEAD: ["HeadBlob", h.headBlob],
      GET: ["GetBlob", h.getBlob],
    });
  }
  return { operation: "Unknown", repository: "", target: "" };
};

const on = (
  match: RegExpExecArray,
  operation: string,
  method: string,
  handlers: Record<string, RegistryHandler>,
): Route => {
  const handler = handlers[method];
  return {
    operation,
    repository: match[1] ?? "",
    target: match[2] ?? "",
    ...(handler ? { handler } : {}),
  };
};

const pick = (
  match: RegExpExecArray,
  method: string,
  operations: Record<string, [string, RegistryHandler]>,
): Route => {
  const found = operations[method];
  if (!found) return { operation: "Unknown", repository: match[1] ?? "", target: match[2] ?? "" };
  return on(match, found[0], method, { [method]: found[1] });
};
