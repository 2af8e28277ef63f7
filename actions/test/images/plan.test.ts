import { describe, expect, it } from "vitest";
import {
  type BlobToPush,
  findReusableLayers,
  type PreviousImage,
  planPush,
} from "../../src/images/plan";
import { ConfigurationError } from "../../src/lib/errors";

const d = (name: string) => `sha256:${name.repeat(64).slice(0, 64)}`;
const desc = (name: string) => ({
  mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  digest: d(name),
  size: 10,
});
const blobs = (mountFrom: string[] = []): BlobToPush[] => [
  { role: "base layer", descriptor: desc("a"), mountFrom },
  { role: "base layer", descriptor: desc("b"), mountFrom },
  { role: "layer", descriptor: desc("c"), mountFrom: [] },
  { role: "config", descriptor: desc("f"), mountFrom: [] },
];
const MANIFEST = d("9");

describe("planPush", () => {
  it.each([
    {
      name: "empty repository, no sibling: upload everything",
      present: [],
      mountFrom: [],
      actions: ["upload", "upload", "upload", "upload"],
    },
    {
      name: "empty repository, base in a sibling: mount the base, upload the rest",
      present: [],
      mountFrom: ["base/node"],
      actions: ["mount", "mount", "upload", "upload"],
    },
    {
      name: "base already there: only the layer and the config",
      present: ["a", "b"],
      mountFrom: ["base/node"],
      actions: ["skip", "skip", "upload", "upload"],
    },
    {
      name: "nothing changed: skip all",
      present: ["a", "b", "c", "f"],
      mountFrom: ["base/node"],
      actions: ["skip", "skip", "skip", "skip"],
    },
    {
      name: "same layer, new config (new revision label): only the config",
      present: ["a", "b", "c"],
      mountFrom: [],
      actions: ["skip", "skip", "skip", "upload"],
    },
  ])("$name", ({ present, mountFrom, actions }) => {
    const plan = planPush({
      repository: "shipline/api",
      blobs: blobs(mountFrom),
      present: new Set(present.map(d)),
      manifestDigest: MANIFEST,
      tags: [{ tag: "abc" }],
      immutable: false,
    });
    expect(plan.blobs.map((blob) => blob.action)).toEqual(actions);
    expect(plan.tags).toEqual([{ tag: "abc", action: "put" }]);
  });

  it("transfers a layer that the base repeats only once", () => {
    const plan = planPush({
      repository: "r",
      blobs: [...blobs(), { role: "base layer", descriptor: desc("a"), mountFrom: [] }],
      present: new Set(),
      manifestDigest: MANIFEST,
      tags: [],
      immutable: false,
    });
    expect(plan.blobs).toHaveLength(4);
  });

  it("leaves tags that already point at the image alone and moves the others (mutable)", () => {
    const plan = planPush({
      repository: "r",
      blobs: [],
      present: new Set(),
      manifestDigest: MANIFEST,
      tags: [{ tag: "same", current: MANIFEST }, { tag: "moved", current: d("1") }, { tag: "new" }],
      immutable: false,
    });
    expect(plan.tags.map((tag) => tag.action)).toEqual(["unchanged", "put", "put"]);
  });

  it("succeeds on a re-run into an immutable repository (same tag, same digest)", () => {
    const plan = planPush({
      repository: "r",
      blobs: blobs(),
      present: new Set(["a", "b", "c", "f"].map(d)),
      manifestDigest: MANIFEST,
      tags: [{ tag: "abc", current: MANIFEST }],
      immutable: true,
    });
    expect(plan.tags).toEqual([{ tag: "abc", current: MANIFEST, action: "unchanged" }]);
  });

  it("refuses to move an immutable tag, naming both digests, before anything is sent", () => {
    const call = () =>
      planPush({
        repository: "shipline/api",
        blobs: blobs(),
        present: new Set(),
        manifestDigest: MANIFEST,
        tags: [{ tag: "abc", current: d("1") }],
        immutable: true,
      });
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(d("1"));
    expect(call).toThrow(MANIFEST);
    expect(call).toThrow('tag "abc" of immutable repository shipline/api');
  });
});

describe("findReusableLayers", () => {
  const oci = "application/vnd.oci.image.layer.v1.tar+gzip";
  const docker = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  const previous = (tag: string, diffIds: string[], layers: string[]): PreviousImage => ({
    tag,
    digest: d("e"),
    diffIds,
    layers: layers.map(desc),
  });

  it("reuses each layer whose diff_id was pushed before, on its own", () => {
    const main = previous("main", ["base", "assets", "code"], ["a", "b", "c"]);
    expect(findReusableLayers([main], ["assets", "code-2"], oci)).toEqual([
      { tag: "main", layer: desc("b") },
      undefined,
    ]);
    expect(findReusableLayers([main], ["assets", "code"], oci)).toEqual([
      { tag: "main", layer: desc("b") },
      { tag: "main", layer: desc("c") },
    ]);
  });

  it("still reuses a layer when the base under it changed (the blob is the layer's content)", () => {
    const main = previous("main", ["old-base", "code"], ["a", "c"]);
    expect(findReusableLayers([main], ["code"], oci)).toEqual([{ tag: "main", layer: desc("c") }]);
  });

  it("does not reuse a layer of another media type or a changed one", () => {
    const main = previous("main", ["base", "code"], ["a", "c"]);
    expect(findReusableLayers([main], ["code"], docker)).toEqual([undefined]);
    expect(findReusableLayers([main], ["code-2"], oci)).toEqual([undefined]);
  });

  it("ignores an image whose layers and diff_ids do not pair up", () => {
    const broken = previous("main", ["base", "code"], ["c"]);
    expect(findReusableLayers([broken], ["code"], oci)).toEqual([undefined]);
  });

  it("takes the first image that has the layer", () => {
    const found = findReusableLayers(
      [previous("old", ["q", "y"], ["a", "c"]), previous("main", ["x", "y"], ["a", "d"])],
      ["y"],
      oci,
    );
    expect(found[0]?.tag).toBe("old");
    expect(found[0]?.layer.digest).toBe(d("c"));
  });
});
