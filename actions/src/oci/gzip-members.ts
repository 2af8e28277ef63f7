import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

/**
 * A layer is gzipped as a series of independent gzip members (RFC 1952 allows any number; every
 * OCI runtime and registry tool reads them as one stream, as they do pigz output). Each member is
 * a pure function of its slice of the tar, so:
 * - members compress in parallel (zlib runs in libuv's thread pool), and
 * - a member whose slice did not change can be copied from the previous layer's blob instead of
 *   being compressed again. The layer descriptor lists the members (slice sha256 + compressed
 *   size) in an annotation, so the next build knows which bytes it may copy.
 * The result is byte-identical whether a member was compressed now or copied.
 */

/** Fixed settings: the same slice always compresses to the same bytes (with this zlib). */
const GZIP_OPTIONS = { level: 6, memLevel: 8, windowBits: 15, strategy: 0 } as const;
const gzipAsync = promisify(gzip);

/**
 * A member ends at an entry start once it has this much, and within a big file every this much.
 * 256 KiB members cost under 1% of compression against 1 MiB ones, and a change in a big file
 * recompresses a quarter as much.
 */
const MIN_MEMBER = 64 * 1024;
const MAX_MEMBER = 256 * 1024;
const BLOCK = 512;

export const MEMBERS_ANNOTATION = "dev.shipline.layer.gzip-members";

export interface Member {
  /** sha256 (hex) of the uncompressed slice of the tar. */
  sliceHash: string;
  /** Length of the compressed member in the blob. */
  size: number;
}

/** Offsets of tar entry headers (including the end-of-archive blocks' start). */
function entryStarts(tar: Buffer): number[] {
  const starts: number[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    starts.push(offset);
    const size = Number.parseInt(
      header.subarray(124, 136).toString("ascii").replace(/\0.*$/, "").trim() || "0",
      8,
    );
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return starts;
}

/**
 * Where members start: at entry boundaries once a member has at least MIN_MEMBER bytes, and every
 * MAX_MEMBER bytes inside an entry, counted from the entry's start (so a change in one file does
 * not move the slices of the files after it once a boundary re-aligns). A big file's content
 * starts a member of its own, apart from its header: when the file grows or shrinks (its header
 * holds the size), only the small member with the header and the slices that changed are
 * compressed again, not the file's first MAX_MEMBER bytes.
 */
export function sliceTar(tar: Buffer): { start: number; end: number }[] {
  const starts = entryStarts(tar);
  const cuts: number[] = [0];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] ?? 0;
    const next = starts[i + 1] ?? tar.length;
    if (start - (cuts.at(-1) ?? 0) >= MIN_MEMBER) cuts.push(start);
    const content = start + BLOCK;
    const big = next - content >= MIN_MEMBER;
    if (big && content > (cuts.at(-1) ?? 0)) cuts.push(content);
    const first = big ? content : start;
    for (let offset = first + MAX_MEMBER; offset < next - MIN_MEMBER; offset += MAX_MEMBER)
      cuts.push(offset);
  }
  const slices = cuts.map((start, i) => ({ start, end: cuts[i + 1] ?? tar.length }));
  return slices.filter((slice) => slice.end > slice.start);
}

function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Slices with their hashes, computed once per tar (the builder asks before compressing). */
const hashed = new WeakMap<Buffer, { start: number; end: number; sliceHash: string }[]>();
function hashedSlices(tar: Buffer): { start: number; end: number; sliceHash: string }[] {
  let slices = hashed.get(tar);
  if (!slices) {
    slices = sliceTar(tar).map(({ start, end }) => ({
      start,
      end,
      sliceHash: sha256Hex(tar.subarray(start, end)),
    }));
    hashed.set(tar, slices);
  }
  return slices;
}

/** The hashes of a tar's slices, to see which members of a previous layer could be copied. */
export function sliceHashes(tar: Buffer): Set<string> {
  return new Set(hashedSlices(tar).map((slice) => slice.sliceHash));
}

export interface CompressedMembers {
  blob: Buffer;
  members: Member[];
  /** How many members were copied from the previous layer rather than compressed. */
  reused: number;
}

/** Compresses a tar member by member; `reusable` maps a slice hash to its compressed member. */
export async function compressMembers(
  tar: Buffer,
  reusable: ReadonlyMap<string, Buffer> = new Map(),
): Promise<CompressedMembers> {
  let reused = 0;
  const parts = await Promise.all(
    hashedSlices(tar).map(async ({ start, end, sliceHash }) => {
      const slice = tar.subarray(start, end);
      const previous = reusable.get(sliceHash);
      if (previous) reused++;
      const bytes = previous ?? (await gzipAsync(slice, GZIP_OPTIONS));
      return { sliceHash, bytes };
    }),
  );
  return {
    blob: Buffer.concat(parts.map((part) => part.bytes)),
    members: parts.map((part) => ({ sliceHash: part.sliceHash, size: part.bytes.length })),
    reused,
  };
}

/** "hash:size,hash:size,…" for the layer descriptor's annotation. */
export function formatMembers(members: Member[]): string {
  return members.map((member) => `${member.sliceHash}:${member.size}`).join(",");
}

export function parseMembers(annotation: string | undefined): Member[] | undefined {
  if (!annotation) return undefined;
  const members: Member[] = [];
  for (const item of annotation.split(",")) {
    const match = /^([a-f0-9]{64}):(\d+)$/.exec(item);
    if (!match) return undefined;
    members.push({ sliceHash: match[1] ?? "", size: Number(match[2]) });
  }
  return members;
}

/** Cuts a previous layer blob into its members: slice hash → compressed bytes. */
export function membersOf(blob: Buffer, members: Member[]): Map<string, Buffer> | undefined {
  const total = members.reduce((sum, member) => sum + member.size, 0);
  if (total !== blob.length) return undefined;
  const result = new Map<string, Buffer>();
  let offset = 0;
  for (const member of members) {
    result.set(member.sliceHash, blob.subarray(offset, offset + member.size));
    offset += member.size;
  }
  return result;
}
