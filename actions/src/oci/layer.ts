import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import * as tar from "tar-stream";
import { ConfigurationError, quote } from "../lib/errors";
import { sha256Digest } from "./digest";
import { compressMembers, formatMembers, MEMBERS_ANNOTATION } from "./gzip-members";
import { MediaType } from "./media-types";
import type { Descriptor } from "./types";

/** One entry of a layer, as it will appear in the image. */
export type LayerEntry =
  | { type: "directory"; path: string }
  | { type: "file"; path: string; content: Buffer; executable: boolean }
  | { type: "symlink"; path: string; target: string };

/** The uncompressed layer and its identity: the diff_id is the sha256 of these tar bytes. */
export interface LayerTar {
  /** The tar bytes, put together on first use (a reused layer never needs them). */
  readonly tar: Buffer;
  diffId: string;
  /** Length of the tar in bytes. */
  size: number;
  entries: number;
}

/** A compressed layer, ready to push. */
export interface LayerBlob extends Descriptor {
  blob: Buffer;
  diffId: string;
  /** Gzip members copied from the previous layer instead of compressed. */
  reusedMembers: number;
  totalMembers: number;
}

const DIRECTORY_MODE = 0o755;
const FILE_MODE = 0o644;
const EXECUTABLE_MODE = 0o755;
const SYMLINK_MODE = 0o777;

/** "/app/" → "app"; the in-image path of the folder's root. */
export function normaliseDestination(destination: string): string {
  const path = posix.normalize(`/${destination}`).replace(/^\/+|\/+$/g, "");
  if (path.split("/").includes("..")) {
    throw new ConfigurationError(
      `destination ${quote(destination)} must be an absolute path in the image`,
    );
  }
  return path;
}

/**
 * Reads a folder into layer entries placed under `destination` in the image, with every parent
 * folder listed explicitly (so the layer does not depend on what the base image has).
 * Symlinks are kept as links; anything else (sockets, devices) is refused.
 */
export async function collectFolder(folder: string, destination: string): Promise<LayerEntry[]> {
  const stats = await lstat(folder).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new ConfigurationError(`folder ${quote(folder)} does not exist or is not a folder`);
  }
  const root = normaliseDestination(destination);
  const entries: LayerEntry[] = [];
  const parts = root ? root.split("/") : [];
  for (let depth = 1; depth <= parts.length; depth++) {
    entries.push({ type: "directory", path: parts.slice(0, depth).join("/") });
  }
  // Files are read together once the tree is known: the reads overlap in libuv's thread pool.
  const reads: Promise<void>[] = [];
  const walk = async (absolute: string, inImage: string): Promise<void> => {
    for (const name of await readdir(absolute)) {
      const source = join(absolute, name);
      const path = inImage ? `${inImage}/${name}` : name;
      const info = await lstat(source);
      if (info.isDirectory()) {
        entries.push({ type: "directory", path });
        await walk(source, path);
      } else if (info.isFile()) {
        // Any execute bit in the source keeps the file executable; nothing else of its mode.
        const executable = (info.mode & 0o111) !== 0;
        const entry = { type: "file" as const, path, content: Buffer.alloc(0), executable };
        entries.push(entry);
        reads.push(
          readFile(source).then((content) => {
            entry.content = content;
          }),
        );
      } else if (info.isSymbolicLink()) {
        entries.push({ type: "symlink", path, target: await readlink(source) });
      } else {
        throw new ConfigurationError(`${quote(source)} is neither a file, a folder nor a symlink`);
      }
    }
  };
  const walked = await walk(folder, root).then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  // Never leave a read running (or its failure unhandled) when the walk stops early.
  const settled = await Promise.allSettled(reads);
  if (!walked.ok) throw walked.error;
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  if (!entries.some((entry) => entry.type === "file")) {
    throw new ConfigurationError(`folder ${quote(folder)} contains no files`);
  }
  return entries;
}

/** Byte-wise order of the in-image paths, independent of locale and of the file system. */
function byPath(a: LayerEntry, b: LayerEntry): number {
  return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
}

/**
 * Writes a reproducible tar: entries sorted by path, owner 0:0, no user or group names, fixed
 * modes, every mtime set to `mtimeSeconds` (SOURCE_DATE_EPOCH). The same entries always give the
 * same bytes, hence the same diff_id.
 */
export async function buildLayerTar(
  entries: LayerEntry[],
  mtimeSeconds: number,
): Promise<LayerTar> {
  const sorted = [...entries].sort(byPath);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.path === sorted[i - 1]?.path) {
      throw new ConfigurationError(`the layer would contain ${quote(sorted[i]?.path)} twice`);
    }
  }
  const pack = tar.pack();
  // The diff_id is hashed as the tar streams out; the bytes are only joined when compressed.
  const chunks: Buffer[] = [];
  const hash = createHash("sha256");
  let size = 0;
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (data) => {
      const chunk = data as Buffer;
      chunks.push(chunk);
      hash.update(chunk);
      size += chunk.length;
    });
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const mtime = new Date(mtimeSeconds * 1000);
  const common = { uid: 0, gid: 0, mtime };
  for (const entry of sorted) {
    if (entry.type === "directory") {
      pack.entry({ ...common, name: `${entry.path}/`, type: "directory", mode: DIRECTORY_MODE });
    } else if (entry.type === "symlink") {
      pack.entry({
        ...common,
        name: entry.path,
        type: "symlink",
        mode: SYMLINK_MODE,
        linkname: entry.target,
      });
    } else {
      const mode = entry.executable ? EXECUTABLE_MODE : FILE_MODE;
      pack.entry(
        { ...common, name: entry.path, type: "file", mode, size: entry.content.length },
        entry.content,
      );
    }
  }
  pack.finalize();
  await done;
  let bytes: Buffer | undefined;
  return {
    get tar() {
      bytes ??= Buffer.concat(chunks, size);
      return bytes;
    },
    diffId: `sha256:${hash.digest("hex")}`,
    size,
    entries: sorted.length,
  };
}

/**
 * Gzips a layer tar (member by member, see gzip-members) and describes it with the given media
 * type. `reusable` holds members of the previous layer that may be copied instead of compressed.
 * OCI descriptors list the members in an annotation; Docker schema 2 ones stay plain.
 */
export async function compressLayer(
  layer: LayerTar,
  mediaType: string,
  reusable?: ReadonlyMap<string, Buffer>,
): Promise<LayerBlob> {
  const { blob, members, reused } = await compressMembers(layer.tar, reusable);
  return {
    mediaType,
    digest: sha256Digest(blob),
    size: blob.length,
    ...(mediaType === MediaType.ociLayerGzip
      ? { annotations: { [MEMBERS_ANNOTATION]: formatMembers(members) } }
      : {}),
    blob,
    diffId: layer.diffId,
    reusedMembers: reused,
    totalMembers: members.length,
  };
}

/** Folder → reproducible compressed layer in one call. */
export async function writeLayer(
  folder: string,
  options: { destination: string; sourceDateEpoch: number; mediaType: string },
): Promise<LayerBlob> {
  const entries = await collectFolder(folder, options.destination);
  return compressLayer(await buildLayerTar(entries, options.sourceDateEpoch), options.mediaType);
}
