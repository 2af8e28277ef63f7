import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Digest } from "../oci/digest";
import { MediaType } from "../oci/media-types";
import type { ImageSource } from "../oci/source";
import type { RawManifest } from "../oci/types";

/**
 * One image in containers' `dir:` format (what `buildah push … dir:<folder>` writes):
 * manifest.json, and each blob in a file named by its hex digest. Unlike an OCI layout, it keeps
 * layers uncompressed when asked (`--disable-compression`).
 */
export class DirImageSource implements ImageSource {
  readonly name: string;
  constructor(private readonly folder: string) {
    this.name = `dir:${folder}`;
  }

  async getManifest(): Promise<RawManifest | undefined> {
    const bytes = await readFile(join(this.folder, "manifest.json")).catch(() => undefined);
    if (!bytes) return undefined;
    const { mediaType } = JSON.parse(bytes.toString("utf8")) as { mediaType?: string };
    return { mediaType: mediaType ?? MediaType.ociManifest, bytes, digest: sha256Digest(bytes) };
  }

  async getBlob(digest: string): Promise<Buffer> {
    const hex = digest.replace(/^sha256:/, "");
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
    const bytes = await readFile(join(this.folder, hex));
    if (sha256Digest(bytes) !== digest) {
      throw new Error(`blob ${digest} in ${this.folder} does not match its digest`);
    }
    return bytes;
  }
}
