import { createHash, type Hash, randomUUID } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

const DIGEST = /^sha256:([a-f0-9]{64})$/;

export const isDigest = (value: string): boolean => DIGEST.test(value);

export const sha256Digest = (bytes: Buffer | string): string =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** An upload in progress: bytes appended to a file while the hash runs alongside. */
export interface UploadSession {
  id: string;
  repository: string;
  size: number;
  startedAt: number;
}

interface OpenUpload extends UploadSession {
  file: string;
  hash: Hash;
}

export class DigestMismatchError extends Error {
  override name = "DigestMismatchError";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`digest ${expected} does not match the uploaded content (${actual})`);
  }
}

/**
 * Blobs on disk, named by their sha256 (`blobs/sha256/<hex>`), shared by every repository. Bytes
 * only enter through an upload whose digest is verified, so a file's name is always its content's
 * hash. Which repository may see which blob is the image store's business, not this one's.
 */
export class BlobStore {
  private readonly blobDir: string;
  private readonly uploadDir: string;
  private readonly uploads = new Map<string, OpenUpload>();

  constructor(root: string) {
    this.blobDir = join(root, "blobs", "sha256");
    this.uploadDir = join(root, "uploads");
    mkdirSync(this.blobDir, { recursive: true });
    // Sessions do not survive a restart (clients start over, as after a registry restart), so
    // what a previous run left half-uploaded is removed.
    rmSync(this.uploadDir, { recursive: true, force: true });
    mkdirSync(this.uploadDir, { recursive: true });
  }

  pathOf(digest: string): string {
    const hex = DIGEST.exec(digest)?.[1];
    if (!hex) throw new Error(`not a sha256 digest: ${digest}`);
    return join(this.blobDir, hex);
  }

  has(digest: string): boolean {
    return isDigest(digest) && existsSync(this.pathOf(digest));
  }

  /** Size in bytes, or undefined when the blob is not stored. */
  sizeOf(digest: string): number | undefined {
    if (!this.has(digest)) return undefined;
    return statSync(this.pathOf(digest)).size;
  }

  open(digest: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(digest), range);
  }

  read(digest: string): Promise<Buffer> {
    return readFile(this.pathOf(digest));
  }

  /** Stores small content already in memory (manifests) under its own digest. */
  async putBytes(bytes: Buffer): Promise<string> {
    const digest = sha256Digest(bytes);
    if (!this.has(digest)) {
      const temp = join(this.uploadDir, `${randomUUID()}.bytes`);
      await writeFile(temp, bytes);
      await rename(temp, this.pathOf(digest));
    }
    return digest;
  }

  startUpload(repository: string, now: number): UploadSession {
    const id = randomUUID();
    const upload: OpenUpload = {
      id,
      repository,
      size: 0,
      startedAt: now,
      file: join(this.uploadDir, id),
      hash: createHash("sha256"),
    };
    this.uploads.set(id, upload);
    return this.summary(upload);
  }

  session(id: string): UploadSession | undefined {
    const upload = this.uploads.get(id);
    return upload ? this.summary(upload) : undefined;
  }

  /** Appends a chunk; the caller has checked that the chunk starts where the upload ends. */
  async append(id: string, body: Readable): Promise<UploadSession> {
    const upload = this.require(id);
    await pipeline(
      body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          upload.hash.update(chunk);
          upload.size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(upload.file, { flags: "a" }),
    );
    return this.summary(upload);
  }

  /** Finishes an upload: the content must hash to `digest`, else nothing is stored. */
  async complete(id: string, digest: string): Promise<{ digest: string; size: number }> {
    const upload = this.require(id);
    this.uploads.delete(id);
    const actual = `sha256:${upload.hash.digest("hex")}`;
    if (actual !== digest) {
      await rm(upload.file, { force: true });
      throw new DigestMismatchError(digest, actual);
    }
    if (!existsSync(upload.file)) await writeFile(upload.file, Buffer.alloc(0));
    if (this.has(digest)) await rm(upload.file, { force: true });
    else await rename(upload.file, this.pathOf(digest));
    return { digest, size: upload.size };
  }

  async cancel(id: string): Promise<boolean> {
    const upload = this.uploads.get(id);
    if (!upload) return false;
    this.uploads.delete(id);
    await rm(upload.file, { force: true });
    return true;
  }

  async close(): Promise<void> {
    for (const id of [...this.uploads.keys()]) await this.cancel(id);
  }

  private require(id: string): OpenUpload {
    const upload = this.uploads.get(id);
    if (!upload) throw new Error(`no upload ${id}`);
    return upload;
  }

  private summary(upload: OpenUpload): UploadSession {
    return {
      id: upload.id,
      repository: upload.repository,
      size: upload.size,
      startedAt: upload.startedAt,
    };
  }
}
