import { createReadStream } from "node:fs";
import {
  chmod,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  rm,
  symlink,
  utimes,
} from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { resolveInRoot, resolveParentInRoot } from "./root-path";

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_WHITEOUT = ".wh..wh..opq";

/** Layer media types this runtime can unpack, and whether they are gzip-compressed. */
const LAYER_TYPES: Record<string, boolean> = {
  "application/vnd.oci.image.layer.v1.tar": false,
  "application/vnd.oci.image.layer.v1.tar+gzip": true,
  "application/vnd.docker.image.rootfs.diff.tar.gzip": true,
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": true,
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": true,
};

export function isSupportedLayer(mediaType: string): boolean {
  return mediaType in LAYER_TYPES;
}

/** "./usr/bin/" → "usr/bin"; a name that climbs above the root stops at the root ("../x" → "x"). */
function cleanName(name: string): string {
  return posix.normalize(`/${name}`).slice(1).replace(/\/$/, "");
}

/**
 * Applies one layer on top of `rootfs` as an OCI runtime would: entries are written with their
 * modes, owners and mtimes; `.wh.<name>` deletes `<name>` from the layers below; `.wh..wh..opq`
 * empties its folder of everything the layers below put there.
 */
export async function applyLayer(
  rootfs: string,
  layerFile: string,
  mediaType: string,
): Promise<void> {
  const gzip = LAYER_TYPES[mediaType];
  if (gzip === undefined) throw new Error(`unsupported layer media type ${mediaType}`);
  const extract = tar.extract();
  const source = createReadStream(layerFile, { highWaterMark: 1 << 20 });
  const feeding = gzip
    ? pipeline(source, createGunzip({ chunkSize: 1 << 20 }), extract)
    : pipeline(source, extract);
  const writtenHere = new Set<string>();
  const opaqueDirs: string[] = [];
  const dirTimes: Array<{ path: string; mtime: Date }> = [];
  try {
    for await (const entry of extract) {
      const name = cleanName(entry.header.name);
      const base = posix.basename(name);
      if (base === OPAQUE_WHITEOUT) {
        opaqueDirs.push(posix.dirname(name));
      } else if (base.startsWith(WHITEOUT_PREFIX)) {
        const hidden = posix.join(posix.dirname(name), base.slice(WHITEOUT_PREFIX.length));
        await rm(await resolveParentInRoot(rootfs, hidden), { recursive: true, force: true });
      } else if (name !== "") {
        writtenHere.add(name);
        const mtime = await writeEntry(rootfs, name, entry);
        if (mtime) dirTimes.push(mtime);
      }
      entry.resume();
    }
    await feeding;
  } catch (error) {
    source.destroy();
    throw error;
  }
  // Opaque folders are emptied after the whole layer is read: the marker may come after the
  // entries of its own layer, which must survive.
  for (const dir of opaqueDirs) await removeOlder(rootfs, dir, writtenHere);
  for (const { path, mtime } of dirTimes.reverse())
    await utimes(path, mtime, mtime).catch(() => {});
}

async function removeOlder(rootfs: string, dir: string, keep: Set<string>): Promise<void> {
  const absolute = await resolveInRoot(rootfs, dir);
  const children = await readdir(absolute, { withFileTypes: true }).catch(() => []);
  for (const child of children) {
    const relative = dir === "." ? child.name : posix.join(dir, child.name);
    if (!keep.has(relative)) {
      await rm(join(absolute, child.name), { recursive: true, force: true });
    } else if (child.isDirectory()) {
      await removeOlder(rootfs, relative, keep);
    }
  }
}

type TarEntry = AsyncIterable<unknown> & { header: tar.Header };

/** Writes one entry; returns the folder's mtime to set once its content is in place. */
async function writeEntry(
  rootfs: string,
  name: string,
  entry: TarEntry,
): Promise<{ path: string; mtime: Date } | undefined> {
  const { header } = entry;
  const target = await resolveParentInRoot(rootfs, name);
  await mkdir(dirname(target), { recursive: true });
  const existing = await lstat(target).catch(() => undefined);
  const keepExistingDir = header.type === "directory" && existing?.isDirectory();
  if (existing && !keepExistingDir) await rm(target, { recursive: true, force: true });
  const mode = header.mode & 0o7777;
  const mtime = header.mtime ?? new Date(0);
  switch (header.type) {
    case "directory":
      if (!keepExistingDir) await mkdir(target);
      await lchown(target, header.uid, header.gid);
      await chmod(target, mode);
      return { path: target, mtime };
    case "file":
    case "contiguous-file":
      await writeFileFrom(target, entry, mode);
      await lchown(target, header.uid, header.gid);
      // chown clears set-uid bits, so the mode goes last.
      await chmod(target, mode);
      await utimes(target, mtime, mtime);
      return undefined;
    case "symlink":
      await symlink(header.linkname, target);
      await lchown(target, header.uid, header.gid);
      await lutimes(target, mtime, mtime);
      return undefined;
    case "link":
      await link(await resolveParentInRoot(rootfs, cleanName(header.linkname)), target);
      return undefined;
    default:
      // Device nodes and fifos: runc provides /dev, and images do not rely on others.
      return undefined;
  }
}

async function writeFileFrom(
  target: string,
  chunks: AsyncIterable<unknown>,
  mode: number,
): Promise<void> {
  const file = await open(target, "wx", mode);
  try {
    for await (const chunk of chunks) await file.write(chunk as Buffer);
  } finally {
    await file.close();
  }
}
