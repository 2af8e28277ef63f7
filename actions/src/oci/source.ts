import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ConfigurationError, quote } from "../lib/errors";
import { sha256Digest } from "./digest";
import { LAYOUT_PREFIX } from "./layout-reference";
import { MediaType } from "./media-types";
import type { RegistryClient } from "./registry";
import type { ImageIndex, RawManifest } from "./types";

/** Where a base image is read from: a registry repository or an OCI image layout folder. */
export interface ImageSource {
  /** For messages and the base-name annotation, e.g. "registry/repo" or "oci:layout-folder". */
  readonly name: string;
  /** Set for registry sources: blobs may be mounted from here when pushing to the same host. */
  readonly registry?: { host: string; repository: string };
  getManifest(reference: string): Promise<RawManifest | undefined>;
  getBlob(digest: string): Promise<Buffer>;
}

export class RegistrySource implements ImageSource {
  readonly name: string;
  readonly registry: { host: string; repository: string };
  constructor(
    private readonly client: RegistryClient,
    repository: string,
  ) {
    this.name = `${client.host}/${repository}`;
    this.registry = { host: client.host, repository };
  }
  getManifest(reference: string): Promise<RawManifest | undefined> {
    return this.client.getManifest(this.registry.repository, reference);
  }
  getBlob(digest: string): Promise<Buffer> {
    return this.client.getBlob(this.registry.repository, digest);
  }
}

/**
 * An OCI image layout on disk (what `skopeo copy … oci:dir:tag` or umoci produce): index.json
 * plus blobs/sha256/<hex>. Lets a base image come from a folder built or cached locally.
 */
export class LayoutSource implements ImageSource {
  readonly name: string;
  constructor(private readonly path: string) {
    // Only the folder's own name: the full path differs between checkouts, and the name ends up
    // in the image's base.name annotation, so it would make the same inputs give two digests.
    this.name = `${LAYOUT_PREFIX}${basename(resolve(path))}`;
  }

  async getManifest(reference: string): Promise<RawManifest | undefined> {
    if (reference.startsWith("sha256:")) {
      const bytes = await this.getBlob(reference).catch(() => undefined);
      if (!bytes) return undefined;
      const { mediaType } = JSON.parse(bytes.toString("utf8")) as { mediaType?: string };
      return { mediaType: mediaType ?? MediaType.ociManifest, bytes, digest: reference };
    }
    const indexText = await readFile(join(this.path, "index.json"), "utf8").catch(() => {
      throw new ConfigurationError(
        `${quote(this.path)} is not an OCI image layout (no index.json)`,
      );
    });
    const index = JSON.parse(indexText) as ImageIndex;
    const entries = index.manifests;
    const entry =
      reference === ""
        ? entries.length === 1
          ? entries[0]
          : undefined
        : entries.find(
            (manifest) => manifest.annotations?.["org.opencontainers.image.ref.name"] === reference,
          );
    if (!entry) return undefined;
    const bytes = await this.getBlob(entry.digest);
    return { mediaType: entry.mediaType, bytes, digest: entry.digest };
  }

  async getBlob(digest: string): Promise<Buffer> {
    const [algorithm, hex] = digest.split(":");
    const bytes = await readFile(join(this.path, "blobs", algorithm ?? "", hex ?? ""));
    if (sha256Digest(bytes) !== digest) {
      throw new Error(`blob ${digest} in ${this.path} does not match its digest`);
    }
    return bytes;
  }
}
