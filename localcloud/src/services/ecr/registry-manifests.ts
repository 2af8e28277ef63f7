import { isDigest } from "./blob-store";
import type { ImageStore } from "./image-store";
import { type RegistryCall, type RegistryReply, readAll } from "./registry-call";
import { OciError } from "./registry-errors";

/** ECR refuses manifests over 4 MiB. */
const MANIFEST_LIMIT = 4 * 1024 * 1024;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}$/;

/** Manifests by tag or digest (images and indexes, OCI and Docker types) and the tag list. */
export class ManifestHandlers {
  constructor(private readonly store: ImageStore) {}

  headManifest = async (call: RegistryCall): Promise<RegistryReply> => {
    const { digest, mediaType, bytes } = await this.find(call);
    return { status: 200, headers: manifestHeaders(digest, mediaType, bytes.length) };
  };

  getManifest = async (call: RegistryCall): Promise<RegistryReply> => {
    const { digest, mediaType, bytes } = await this.find(call);
    return { status: 200, headers: manifestHeaders(digest, mediaType, bytes.length), body: bytes };
  };

  putManifest = async (call: RegistryCall): Promise<RegistryReply> => {
    this.store.repository(call.repository);
    const byDigest = isDigest(call.target);
    if (!byDigest && !TAG.test(call.target)) {
      throw new OciError(400, "TAG_INVALID", `invalid tag ${JSON.stringify(call.target)}`);
    }
    const bytes = await readAll(call, MANIFEST_LIMIT);
    if (!bytes) throw new OciError(413, "SIZE_INVALID", "manifest is larger than 4 MiB");
    const contentType = call.req.headers["content-type"]?.split(";")[0]?.trim();
    const result = await this.store.putManifest({
      repository: call.repository,
      bytes,
      ...(contentType ? { mediaType: contentType } : {}),
      ...(byDigest ? { digest: call.target } : { tag: call.target }),
      mode: "registry",
    });
    return {
      status: 201,
      headers: {
        location: `${call.origin}/v2/${call.repository}/manifests/${result.digest}`,
        "docker-content-digest": result.digest,
        "content-length": 0,
      },
    };
  };

  deleteManifest = async (call: RegistryCall): Promise<RegistryReply> => {
    this.store.deleteImage(
      call.repository,
      isDigest(call.target) ? { digest: call.target } : { tag: call.target },
    );
    return { status: 202, headers: { "content-length": 0 } };
  };

  /** GET …/tags/list with the spec's `n` / `last` pagination and a Link to the next page. */
  listTags = async (call: RegistryCall): Promise<RegistryReply> => {
    const record = this.store.repository(call.repository);
    const all = Object.keys(record.tags).sort();
    const last = call.url.searchParams.get("last");
    const nParam = call.url.searchParams.get("n");
    const n = nParam === null ? undefined : Number(nParam);
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      throw new OciError(
        400,
        "PAGINATION_NUMBER_INVALID",
        `invalid number of results requested: ${nParam}`,
      );
    }
    const after = last === null ? all : all.filter((tag) => tag > last);
    const page = n === undefined ? after : after.slice(0, n);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (n !== undefined && page.length > 0 && after.length > page.length) {
      const next = new URLSearchParams({ n: String(n), last: page[page.length - 1] as string });
      headers.link = `</v2/${call.repository}/tags/list?${next}>; rel="next"`;
    }
    return { status: 200, headers, body: JSON.stringify({ name: call.repository, tags: page }) };
  };

  private async find(call: RegistryCall) {
    this.store.repository(call.repository);
    const found = this.store.resolve(call.repository, call.target);
    if (!found) {
      throw new OciError(404, "MANIFEST_UNKNOWN", "Requested image not found", {
        reference: call.target,
      });
    }
    const bytes = await this.store.readManifest(found.digest);
    return { digest: found.digest, mediaType: found.image.mediaType, bytes };
  }
}

const manifestHeaders = (digest: string, mediaType: string, size: number) => ({
  "content-type": mediaType,
  "content-length": size,
  "docker-content-digest": digest,
  etag: `"${digest}"`,
});
