import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { sha256Digest } from "../../src/oci/digest";
import { buildLayerTar, collectFolder, compressLayer, writeLayer } from "../../src/oci/layer";
import { MediaType } from "../../src/oci/media-types";

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname: string | null;
  pax: unknown;
  content: string;
}

async function readTar(bytes: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        entries.push({
          name: header.name,
          type: header.type ?? "",
          mode: header.mode ?? -1,
          uid: header.uid ?? -1,
          gid: header.gid ?? -1,
          uname: header.uname ?? "",
          gname: header.gname ?? "",
          mtime: (header.mtime?.getTime() ?? -1) / 1000,
          linkname: header.linkname ?? null,
          pax: header.pax,
          content: Buffer.concat(chunks).toString(),
        });
        next();
      });
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.end(bytes);
  await done;
  return entries;
}

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "layer-"));
  await mkdir(join(folder, "b/deep"), { recursive: true });
  await writeFile(join(folder, "server.mjs"), "console.log('hi')\n");
  await writeFile(join(folder, "b/deep/z.txt"), "z");
  await writeFile(join(folder, "a.txt"), "a");
  await writeFile(join(folder, "run.sh"), "#!/bin/sh\n");
  await chmod(join(folder, "run.sh"), 0o700);
  await chmod(join(folder, "a.txt"), 0o600);
  await symlink("server.mjs", join(folder, "link.mjs"));
  await utimes(join(folder, "a.txt"), 1_700_000_000, 1_700_000_000);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("layer writer", () => {
  it("writes sorted entries with explicit parents, owner 0:0, fixed modes and mtimes", async () => {
    const layer = await buildLayerTar(await collectFolder(folder, "/srv/app/"), 1_234_567);
    const entries = await readTar(layer.tar);
    expect(entries.map((entry) => entry.name)).toEqual([
      "srv/",
      "srv/app/",
      "srv/app/a.txt",
      "srv/app/b/",
      "srv/app/b/deep/",
      "srv/app/b/deep/z.txt",
      "srv/app/link.mjs",
      "srv/app/run.sh",
      "srv/app/server.mjs",
    ]);
    const byName = Object.fromEntries(entries.map((entry) => [entry.name, entry]));
    expect(byName["srv/app/a.txt"]?.mode).toBe(0o644);
    expect(byName["srv/app/run.sh"]?.mode).toBe(0o755);
    expect(byName["srv/app/b/"]?.mode).toBe(0o755);
    expect(byName["srv/app/link.mjs"]).toMatchObject({ type: "symlink", linkname: "server.mjs" });
    expect(byName["srv/app/server.mjs"]?.content).toBe("console.log('hi')\n");
    for (const entry of entries) {
      expect(entry).toMatchObject({
        uid: 0,
        gid: 0,
        uname: "",
        gname: "",
        mtime: 1_234_567,
        pax: null,
      });
    }
    expect(layer.diffId).toBe(sha256Digest(layer.tar));
  });

  it("gives the same bytes for the same input, and other bytes when a file or the epoch changes", async () => {
    const options = { destination: "/app", sourceDateEpoch: 0, mediaType: MediaType.ociLayerGzip };
    const first = await writeLayer(folder, options);
    const second = await writeLayer(folder, options);
    expect(second.digest).toBe(first.digest);
    expect(second.blob.equals(first.blob)).toBe(true);
    expect(first.size).toBe(first.blob.length);
    expect(sha256Digest(gunzipSync(first.blob))).toBe(first.diffId);
    const later = await writeLayer(folder, { ...options, sourceDateEpoch: 10 });
    expect(later.diffId).not.toBe(first.diffId);
    await writeFile(join(folder, "a.txt"), "b");
    const changed = await writeLayer(folder, options);
    await writeFile(join(folder, "a.txt"), "a");
    expect(changed.diffId).not.toBe(first.diffId);
  });

  it("labels the blob with the media type it is given (matching the base)", async () => {
    const layer = await buildLayerTar(await collectFolder(folder, "/app"), 0);
    expect((await compressLayer(layer, MediaType.dockerLayerGzip)).mediaType).toBe(
      MediaType.dockerLayerGzip,
    );
  });

  it("refuses a missing or empty folder, quoting it", async () => {
    await expect(collectFolder(join(folder, "missing"), "/app")).rejects.toThrow(
      ConfigurationError,
    );
    await expect(collectFolder(join(folder, "missing"), "/app")).rejects.toThrow(
      'missing" does not exist',
    );
    const empty = await mkdtemp(join(tmpdir(), "empty-"));
    await expect(collectFolder(empty, "/app")).rejects.toThrow("contains no files");
    await rm(empty, { recursive: true });
  });
});
