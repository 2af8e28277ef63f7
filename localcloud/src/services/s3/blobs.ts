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
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";

const readFd = promisify(readFile) as (fd: number) => Promise<Buffer>;
const writeFileAsync = promisify(writeFile);

/** Below this size a synchronous write is cheaper than a round trip through the thread pool. */
const SYNC_WRITE_LIMIT = 256 * 1024;

/**
 * Object bodies, one file per written body (never rewritten in place). A body is opened
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
    const id = randomUUID();
    if (body.length <= SYNC_WRITE_LIMIT) writeFileSync(this.path(id), body);
    else await writeFileAsync(this.path(id), body);
    return id;
  }

  /** Streams bytes [start, end] (inclusive) of a blob. */
  openRead(id: string, start?: number, end?: number): Readable {
    const fd = openSync(this.path(id), "r");
    return createReadStream("", { fd, start, end, autoClose: true });
  }

  async read(id: string): Promise<Buffer> {
    const fd = openSync(this.path(id), "r");
    try {
      return await readFd(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Writes the concatenation of blobs to a new blob; returns its id and the MD5 of the whole. */
  async concat(ids: string[]): Promise<{ id: string; md5: string }> {
    const id = randomUUID();
    const md5 = createHash("md5");
    const out = createWriteStream(this.path(id));
    try {
      for (const source of ids) {
        const input = this.openRead(source);
        input.on("data", (chunk: Buffer) => md5.update(chunk));
        await pipeline(input, out, { end: false });
      }
    } finally {
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    }
    return { id, md5: md5.digest("hex") };
  }

  remove(id: string): void {
    rmSync(this.path(id), { force: true });
  }

  /** Deletes bodies no record refers to (left by a crash between writing a body and its record). */
  collectGarbage(referenced: Set<string>): void {
    for (const name of readdirSync(this.dir)) {
      if (!referenced.has(name)) this.remove(name);
    }
  }
}
