import { DigestMismatchError, isDigest, type UploadSession } from "./blob-store";
import type { ImageStore } from "./image-store";
import type { RegistryCall, RegistryReply } from "./registry-call";
import { OciError } from "./registry-errors";

/**
 * Blobs and uploads of the Distribution API: HEAD/GET a blob, monolithic and chunked uploads,
 * and cross-repository mounts (ECR mounts any blob the registry holds, when asked to).
 */
export class BlobHandlers {
  constructor(
    private readonly store: ImageStore,
    private readonly now: () => number,
  ) {}

  headBlob = async (call: RegistryCall): Promise<RegistryReply> => {
    const size = this.requireBlob(call);
    return {
      status: 200,
      headers: blobHeaders(call.target, size),
    };
  };

  getBlob = async (call: RegistryCall): Promise<RegistryReply> => {
    const size = this.requireBlob(call);
    const range = parseRange(call.req.headers.range, size);
    if (range) {
      return {
        status: 206,
        headers: {
          ...blobHeaders(call.target, range.end - range.start + 1),
          "content-range": `bytes ${range.start}-${range.end}/${size}`,
        },
        body: this.store.blobs.open(call.target, range),
      };
    }
    return {
      status: 200,
      headers: blobHeaders(call.target, size),
      body: this.store.blobs.open(call.target),
    };
  };

  /** POST …/blobs/uploads/: a mount, a monolithic upload (`?digest=`), or a new session. */
  startUpload = async (call: RegistryCall): Promise<RegistryReply> => {
    this.store.repository(call.repository);
    const mount = call.url.searchParams.get("mount");
    if (mount !== null && isDigest(mount) && this.store.blobInRegistry(mount)) {
      this.store.linkBlob(call.repository, mount);
      return created(call, mount);
    }
    const session = this.store.blobs.startUpload(call.repository, this.now());
    const digest = call.url.searchParams.get("digest");
    if (mount === null && digest !== null) {
      await this.appendBody(call, session);
      return this.finish(call, session.id, digest);
    }
    return accepted(call, session);
  };

  patchUpload = async (call: RegistryCall): Promise<RegistryReply> => {
    const session = this.requireSession(call);
    const contentRange = call.req.headers["content-range"];
    if (contentRange !== undefined) {
      const start = Number(/^(?:bytes[ =])?(\d+)-\d+/.exec(contentRange)?.[1]);
      if (start !== session.size) {
        throw new OciError(
          416,
          "BLOB_UPLOAD_INVALID",
          "Requested range not satisfiable",
          {
            expectedStart: session.size,
            contentRange,
          },
          { range: rangeHeader(session.size), "docker-upload-uuid": session.id },
        );
      }
    }
    return accepted(call, await this.appendBody(call, session));
  };

  /** PUT …/uploads/<id>?digest=: the last chunk (optional), then the digest is verified. */
  completeUpload = async (call: RegistryCall): Promise<RegistryReply> => {
    const session = this.requireSession(call);
    const digest = call.url.searchParams.get("digest");
    if (digest === null) {
      throw new OciError(
        400,
        "DIGEST_INVALID",
        "digest parameter is required to complete an upload",
      );
    }
    await this.appendBody(call, session);
    return this.finish(call, session.id, digest);
  };

  uploadStatus = async (call: RegistryCall): Promise<RegistryReply> => {
    const session = this.requireSession(call);
    return {
      status: 204,
      headers: {
        location: uploadLocation(call, session.id),
        range: rangeHeader(session.size),
        "docker-upload-uuid": session.id,
        "content-length": 0,
      },
    };
  };

  cancelUpload = async (call: RegistryCall): Promise<RegistryReply> => {
    this.requireSession(call);
    await this.store.blobs.cancel(call.target);
    return { status: 204, headers: { "content-length": 0 } };
  };

  private async appendBody(call: RegistryCall, session: UploadSession): Promise<UploadSession> {
    const after = await this.store.blobs.append(session.id, call.req);
    call.bytesIn += after.size - session.size;
    return after;
  }

  private async finish(call: RegistryCall, id: string, digest: string): Promise<RegistryReply> {
    if (!isDigest(digest)) {
      await this.store.blobs.cancel(id);
      throw new OciError(400, "DIGEST_INVALID", `unsupported digest ${digest}`);
    }
    try {
      await this.store.blobs.complete(id, digest);
    } catch (error) {
      if (error instanceof DigestMismatchError) {
        throw new OciError(
          400,
          "DIGEST_INVALID",
          "provided digest did not match uploaded content",
          {
            expected: error.expected,
            actual: error.actual,
          },
        );
      }
      throw error;
    }
    this.store.linkBlob(call.repository, digest);
    return created(call, digest);
  }

  private requireBlob(call: RegistryCall): number {
    this.store.repository(call.repository);
    const size = isDigest(call.target) ? this.store.blobs.sizeOf(call.target) : undefined;
    if (size === undefined || !this.store.hasBlob(call.repository, call.target)) {
      throw new OciError(404, "BLOB_UNKNOWN", "blob unknown to registry", { digest: call.target });
    }
    return size;
  }

  private requireSession(call: RegistryCall): UploadSession {
    this.store.repository(call.repository);
    const session = this.store.blobs.session(call.target);
    if (!session || session.repository !== call.repository) {
      throw new OciError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
    }
    return session;
  }
}

const blobHeaders = (digest: string, size: number) => ({
  "content-type": "application/octet-stream",
  "content-length": size,
  "docker-content-digest": digest,
  "accept-ranges": "bytes",
});

const uploadLocation = (call: RegistryCall, id: string) =>
  `${call.origin}/v2/${call.repository}/blobs/uploads/${id}`;

/** The Range header of an upload: the inclusive byte range received so far. */
const rangeHeader = (size: number) => `0-${Math.max(size - 1, 0)}`;

const created = (call: RegistryCall, digest: string): RegistryReply => ({
  status: 201,
  headers: {
    location: `${call.origin}/v2/${call.repository}/blobs/${digest}`,
    "docker-content-digest": digest,
    "content-length": 0,
  },
});

const accepted = (call: RegistryCall, session: UploadSession): RegistryReply => ({
  status: 202,
  headers: {
    location: uploadLocation(call, session.id),
    range: rangeHeader(session.size),
    "docker-upload-uuid": session.id,
    "content-length": 0,
  },
});

/** A single `bytes=a-b` range within the blob; anything else serves the whole blob. */
const parseRange = (header: string | undefined, size: number) => {
  const match = header ? /^bytes=(\d+)-(\d*)$/.exec(header) : null;
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  if (start > end) return undefined;
  return { start, end };
};
