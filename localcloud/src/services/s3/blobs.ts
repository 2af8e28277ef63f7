import { createHash, randomUUID } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  readdirSync,
  readFile,
  rmSync,
  writeFile,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";

const readFd = promisify(readFile) as (fd: number) => Promise<Buffer>;
const writeFileAsync = promisify(writeFile);

/** Bodies up to this size live in the index itself: creating a file costs more than the data. */
const INLINE_LIMIT = 4 * 1024;
const INLINE_PREFIX = "inline:";

const inlineBody = (ref: string): Buffer | undefined =>
  ref.startsWith(INLINE_PREFIX)
    ? Buffer.from(ref.slice(INLINE_PREFIX.length), "base64")
    : undefined;

/**
 * Object bodies, by reference: small ones inline (`inline:<base64>`), others one file per written
 * body (never rewritten in place). A body is opened
 * synchronously before it is streamed, so an overwrite that unlinks the old file while a GET is
 * in flight never cuts that GET short (the open descriptor keeps the data alive).
 */
export class BlobStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private path(id: string): string {
    return join(this.dir, id);
  }

  async write(body: Buffer): Promise<string> {
    if (body.length <= INLINE_LIMIT) return `${INLINE_PREFIX}${body.toString("base64")}`;
    const id = randomUUID();
    // Asynchronous: creating a file can take milliseconds on a busy disk, off the event loop.
    await writeFileAsync(this.path(id), body);
    return id;
  }

  /** Streams bytes [start, end] (inclusive) of a blob. */
  openRead(id: string, start?: number, end?: number): Readable {
    const inline = inlineBody(id);
    if (inline)
      return Readable.from([inline.subarray(start ?? 0, end === undefined ? undefined : end + 1)]);
    const fd = openSync(this.path(id), "r");
    const stream = createReadStream("", { fd, start, end, autoClose: true });
    // A client that hangs up mid-download unpipes the stream; close the file rather than leak it.
    stream.once("unpipe", () => {
      if (!stream.readableEnded) stream.destroy();
    });
    return stream;
  }

  async read(id: string): Promise<Buffer> {
    const inline = inlineBody(id);
    if (inline) return inline;
    const fd = openSync(this.path(id), "r");
    try {
      return await readFd(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Writes the concatenation of blobs to a new blob; returns its reference and the MD5 of the
   * whole. Every source is opened before the first await, so a concurrent overwrite or delete of
   * a source cannot remove it from under the copy.
   */
  async concat(ids: string[], totalSize: number): Promise<{ id: string; md5: string }> {
    const inputs = ids.map((source) => this.openRead(source));
    const md5 = createHash("md5");
    if (totalSize <= INLINE_LIMIT) {
      const chunks: Buffer[] = [];
      for (const input of inputs) for await (const chunk of input) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      return { id: await this.write(body), md5: md5.update(body).digest("hex") };
    }
    const id = randomUUID();
    const out = createWriteStream(this.path(id));
    try {
      for (const input of inputs) {
        input.on("data", (chunk: Buffer) => md5.update(chunk));
        await pipeline(input, out, { end: false });
      }
    } finally {
      for (const input of inputs) input.destroy();
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    }
    return { id, md5: md5.digest("hex") };
  }

  remove(id: string): void {
    if (id.startsWith(INLINE_PREFIX)) return;
    rmSync(this.path(id), { force: true });
  }

  /** Deletes bodies no record refers to (left by a crash between writing a body and its record). */
  collectGarbage(referenced: Set<string>): void {
    for (const name of readdirSync(this.dir)) {
      if (!referenced.has(name)) this.remove(name);
    }
  }
}
