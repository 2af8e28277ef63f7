import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { posix } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";

type EntryHeader = Partial<tar.Header> & Pick<tar.Header, "name">;

/** One entry of a layer; `path` is absolute inside the image ("/usr/bin/x"). */
export type LayerEntry =
  /** A folder; uid/gid default to 0 (a home folder may belong to its user). */
  | { type: "directory"; path: string; mode?: number; uid?: number; gid?: number }
  | { type: "file"; path: string; mode: number; source: string }
  /** A file written from memory; uid/gid default to 0 (a config its user rewrites at start). */
  | { type: "file"; path: string; mode: number; content: Buffer; uid?: number; gid?: number }
  | { type: "symlink"; path: string; target: string };

export interface WrittenLayer {
  /** sha256 of the gzip blob, as the manifest names it. */
  digest: string;
  /** sha256 of the uncompressed tar, as the image config names it. */
  diffId: string;
  size: number;
}

/** Adds every missing parent folder, so extractors never invent modes or owners. */
function withParents(entries: LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const entry of entries) byPath.set(normalize(entry.path), entry);
  for (const path of [...byPath.keys()]) {
    for (let dir = posix.dirname(path); dir !== "/"; dir = posix.dirname(dir)) {
      if (!byPath.has(dir)) byPath.set(dir, { type: "directory", path: dir, mode: 0o755 });
    }
  }
  return [...byPath.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, entry]) => ({ ...entry, path }));
}

function normalize(path: string): string {
  const clean = posix.normalize(`/${path}`);
  if (clean === "/") throw new Error(`layer entry path must name something below /: ${path}`);
  return clean.replace(/\/$/, "");
}

function hashing(hash: ReturnType<typeof createHash>, count?: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (count) count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/**
 * Writes a reproducible gzip tar layer: sorted entries, explicit parents, uid/gid 0, no owner
 * names, one fixed mtime. The same inputs always give the same digest.
 */
export async function writeLayer(
  entries: LayerEntry[],
  outFile: string,
  options: { mtime: Date; gzipLevel?: number },
): Promise<WrittenLayer> {
  const pack = tar.pack();
  const diffHash = createHash("sha256");
  const blobHash = createHash("sha256");
  const written = { bytes: 0 };
  const done = pipeline(
    pack,
    hashing(diffHash),
    createGzip({ level: options.gzipLevel ?? 6 }),
    hashing(blobHash, written),
    createWriteStream(outFile),
  );
  const common = { uid: 0, gid: 0, uname: "", gname: "", mtime: options.mtime };
  try {
    for (const entry of withParents(entries)) {
      const name = entry.path.slice(1);
      if (entry.type === "directory") {
        await addEntry(pack, {
          ...common,
          // Folders end with "/" in the tar, as docker and buildkit write them.
          name: `${name}/`,
          type: "directory",
          mode: entry.mode ?? 0o755,
          uid: entry.uid ?? 0,
          gid: entry.gid ?? 0,
        });
      } else if (entry.type === "symlink") {
        await addEntry(pack, {
          ...common,
          name,
          type: "symlink",
          linkname: entry.target,
          mode: 0o777,
        });
      } else if ("content" in entry) {
        await addEntry(
          pack,
          {
            ...common,
            name,
            type: "file",
            mode: entry.mode,
            uid: entry.uid ?? 0,
            gid: entry.gid ?? 0,
          },
          entry.content,
        );
      } else {
        await addFileEntry(pack, { ...common, name, type: "file", mode: entry.mode }, entry.source);
      }
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
  }
  await done;
  return {
    digest: `sha256:${blobHash.digest("hex")}`,
    diffId: `sha256:${diffHash.digest("hex")}`,
    size: written.bytes,
  };
}

function addEntry(pack: tar.Pack, header: EntryHeader, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, content ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
  });
}

async function addFileEntry(pack: tar.Pack, header: EntryHeader, source: string): Promise<void> {
  const size = (await stat(source)).size;
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ ...header, size }, (error) => (error ? reject(error) : resolve()));
    createReadStream(source).on("error", reject).pipe(sink);
  });
}
