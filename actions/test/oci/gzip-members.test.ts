import { createHash, randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  compressMembers,
  formatMembers,
  membersOf,
  parseMembers,
  sliceHashes,
  sliceTar,
} from "../../src/oci/gzip-members";
import { buildLayerTar, type LayerEntry } from "../../src/oci/layer";

const file = (path: string, content: Buffer): LayerEntry => ({
  type: "file",
  path,
  content,
  executable: false,
});

const sha256Hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function tarOf(big: Buffer) {
  return buildLayerTar(
    [
      { type: "directory", path: "app" },
      file("app/a.txt", Buffer.from("small")),
      file("app/big.bin", big),
      file("app/server.mjs", Buffer.from("console.log(1)\n".repeat(10_000))),
      file("app/z.txt", Buffer.from("last")),
    ],
    0,
  );
}

describe("gzip members", () => {
  it("slices at entry starts and inside big files, covering the whole tar", async () => {
    const { tar } = await tarOf(randomBytes(3 * 1024 * 1024));
    const slices = sliceTar(tar);
    expect(slices[0]?.start).toBe(0);
    expect(slices.at(-1)?.end).toBe(tar.length);
    for (let i = 1; i < slices.length; i++) expect(slices[i]?.start).toBe(slices[i - 1]?.end);
    expect(slices.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...slices.map((slice) => slice.end - slice.start))).toBeLessThanOrEqual(
      1024 * 1024 + 64 * 1024 + 2048,
    );
  });

  it("decompresses to the tar as one stream (multi-member gzip)", async () => {
    const { tar } = await tarOf(randomBytes(2 * 1024 * 1024));
    const { blob, members } = await compressMembers(tar);
    expect(members.length).toBeGreaterThan(1);
    expect(gunzipSync(blob).equals(tar)).toBe(true);
  });

  it("copies unchanged members from the previous layer and yields the very same bytes as compressing", async () => {
    const big = randomBytes(2 * 1024 * 1024);
    const before = await compressMembers((await tarOf(big)).tar);
    const changedBig = Buffer.from(big);
    changedBig[changedBig.length - 10] = (changedBig[changedBig.length - 10] ?? 0) ^ 0xff;
    const after = (await tarOf(changedBig)).tar;

    const previous = membersOf(before.blob, parseMembers(formatMembers(before.members)) ?? []);
    expect(previous).toBeDefined();
    const copied = await compressMembers(after, previous);
    const fresh = await compressMembers(after);
    expect(copied.blob.equals(fresh.blob)).toBe(true);
    expect(copied.reused).toBeGreaterThan(0);
    expect(copied.reused).toBeLessThan(copied.members.length);
    expect(gunzipSync(copied.blob).equals(after)).toBe(true);
    expect([...sliceHashes(after)]).toEqual(copied.members.map((member) => member.sliceHash));
  });

  it("when a big file grows at its end, only its header's member and its last slice change", async () => {
    const big = randomBytes(3 * 1024 * 1024 + 100_000);
    const before = new Set(sliceHashes((await tarOf(big)).tar));
    const grown = (await tarOf(Buffer.concat([big, Buffer.from("// one more line\n")]))).tar;
    const changed = [...sliceHashes(grown)].filter((hash) => !before.has(hash));
    expect(changed).toHaveLength(2);
    const sizes = sliceTar(grown)
      .filter((slice) => !before.has(sha256Hex(grown.subarray(slice.start, slice.end))))
      .map((slice) => slice.end - slice.start);
    // The header's member holds the small files before it, not a MiB of the big file.
    expect(Math.min(...sizes)).toBeLessThan(64 * 1024);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(200_000);
  });

  it("ignores malformed annotations and blobs that do not match them", () => {
    expect(parseMembers("nonsense")).toBeUndefined();
    expect(parseMembers(undefined)).toBeUndefined();
    expect(membersOf(Buffer.alloc(10), [{ sliceHash: "a".repeat(64), size: 11 }])).toBeUndefined();
  });
});
