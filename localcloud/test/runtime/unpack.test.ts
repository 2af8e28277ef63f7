import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyLayer } from "../../src/runtime/unpack";

type Header = Partial<tar.Header> & { name: string };

/** A hand-made layer, to feed the unpacker names a well-behaved writer never produces. */
async function rawLayer(file: string, entries: Array<[Header, string?]>): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const [header, content] of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ mode: 0o644, ...header }, content ?? "", (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }
  pack.finalize();
  await collected;
  await writeFile(file, gzipSync(Buffer.concat(chunks)));
}

const GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
let dir: string;
let root: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "localcloud-unpack-"));
  root = join(dir, "rootfs");
  outside = join(dir, "outside");
  await mkdir(root);
  await mkdir(outside);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("applyLayer", () => {
  it("keeps writes through a symlink inside the root", async () => {
    const layer = join(dir, "layer.tgz");
    await rawLayer(layer, [
      [{ name: "escape", type: "symlink", linkname: outside }],
      [{ name: "escape/pwned", type: "file" }, "inside after all"],
    ]);
    await applyLayer(root, layer, GZIP);
    expect(await exists(join(outside, "pwned"))).toBe(false);
    expect(await readFile(join(root, outside, "pwned"), "utf8")).toBe("inside after all");
  });

  it("clamps names that climb out of the root to the root", async () => {
    const layer = join(dir, "layer.tgz");
    await rawLayer(layer, [[{ name: "../outside/pwned", type: "file" }, "x"]]);
    await applyLayer(root, layer, GZIP);
    expect(await exists(join(outside, "pwned"))).toBe(false);
    expect(await readFile(join(root, "outside/pwned"), "utf8")).toBe("x");
  });

  it("refuses layer formats it cannot read", async () => {
    await expect(
      applyLayer(root, join(dir, "none"), "application/vnd.oci.image.layer.v1.tar+zstd"),
    ).rejects.toThrow("unsupported layer media type");
  });
});
