import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LayerEntry, writeLayer } from "../../src/images/layer-writer";
import { sha256 } from "../../src/images/oci-layout";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "localcloud-layer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listTar(gzipFile: string) {
  const extract = tar.extract();
  const headers: tar.Header[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      headers.push(entry.header);
      entry.resume();
    }
  })();
  extract.end(gunzipSync(await readFile(gzipFile)));
  await done;
  return headers;
}

const entries: LayerEntry[] = [
  { type: "file", path: "/usr/bin/tool", mode: 0o755, content: Buffer.from("#!/bin/sh\n") },
  { type: "symlink", path: "/bin", target: "usr/bin" },
  { type: "directory", path: "/home/app", mode: 0o750, uid: 1000, gid: 1000 },
  { type: "file", path: "/etc/config", mode: 0o644, content: Buffer.from("a=1\n") },
  {
    type: "file",
    path: "/home/app/site.conf",
    mode: 0o644,
    content: Buffer.from("x\n"),
    uid: 1000,
    gid: 1000,
  },
];

describe("writeLayer", () => {
  it("writes sorted entries with explicit parents, uid/gid 0 and one mtime", async () => {
    const out = join(dir, "layer.tar.gz");
    const mtime = new Date("2024-01-02T03:04:05Z");
    await writeLayer(entries, out, { mtime });
    const headers = await listTar(out);
    expect(headers.map((header) => [header.name, header.type])).toEqual([
      ["bin", "symlink"],
      ["etc/", "directory"],
      ["etc/config", "file"],
      ["home/", "directory"],
      ["home/app/", "directory"],
      ["home/app/site.conf", "file"],
      ["usr/", "directory"],
      ["usr/bin/", "directory"],
      ["usr/bin/tool", "file"],
    ]);
    for (const header of headers) {
      expect(header.mtime).toEqual(mtime);
      expect([header.uname, header.gname]).toEqual(["", ""]);
      if (!header.name.startsWith("home/app/")) expect([header.uid, header.gid]).toEqual([0, 0]);
    }
    const home = headers.find((header) => header.name === "home/app/");
    expect([home?.uid, home?.gid, home?.mode]).toEqual([1000, 1000, 0o750]);
    const owned = headers.find((header) => header.name === "home/app/site.conf");
    expect([owned?.uid, owned?.gid, owned?.mode]).toEqual([1000, 1000, 0o644]);
  });

  it("gives the same digest for the same entries in any order, and reports both digests", async () => {
    const first = await writeLayer(entries, join(dir, "a.tar.gz"), { mtime: new Date(0) });
    const second = await writeLayer([...entries].reverse(), join(dir, "b.tar.gz"), {
      mtime: new Date(0),
    });
    expect(second).toEqual(first);
    const blob = await readFile(join(dir, "a.tar.gz"));
    expect(first.digest).toBe(sha256(blob));
    expect(first.diffId).toBe(sha256(gunzipSync(blob)));
    expect(first.size).toBe(blob.length);
    const changed = await writeLayer(entries, join(dir, "c.tar.gz"), { mtime: new Date(1000) });
    expect(changed.diffId).not.toBe(first.diffId);
  });
});
