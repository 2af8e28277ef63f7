import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { headerRules } from "../../src/web/headers";
import { MANIFEST_FORMAT, type Release, type SiteManifest } from "../../src/web/manifest";
import { planPublish } from "../../src/web/plan";
import { planRestore } from "../../src/web/restore";
import type { LocalFile } from "../../src/web/walk";

const sha = (c: string) => c.repeat(64).slice(0, 64);
const file = (path: string, c: string, size = 10): LocalFile => ({
  path,
  absolutePath: `/build/${path}`,
  size,
  sha256: sha(c),
  md5: c.repeat(32).slice(0, 32),
});
const headers = headerRules({
  immutable: new Set(["assets/app-1.js", "assets/app-2.js", "assets/app.css"]),
  immutablePatterns: [],
  entryPoints: new Set(["index.html"]),
  entryPatterns: ["**/*.html"],
  cacheControlRules: [],
  contentTypeRules: [],
});

/** A release as planPublish would record it for these files. */
const release = (id: string, files: LocalFile[], prefix = ""): Release => ({
  releaseId: id,
  publishedAt: "2026-01-01T00:00:00.000Z",
  files: Object.fromEntries(
    files.map((f) => {
      const h = headers(f.path);
      return [
        `${prefix}${f.path}`,
        {
          sha256: f.sha256,
          size: f.size,
          contentType: h.contentType,
          cacheControl: h.cacheControl,
          role: h.role,
        },
      ];
    }),
  ),
});
const manifest = (
  live: Release,
  history: Release[] = [],
  pendingDeletes: string[] = [],
): SiteManifest => ({
  format: MANIFEST_FORMAT,
  prefix: "",
  live,
  history,
  pendingDeletes,
});

const v1 = [
  file("index.html", "a"),
  file("assets/app-1.js", "b"),
  file("assets/app.css", "c"),
  file("robots.txt", "d"),
];
const plan = (
  files: LocalFile[],
  previous?: SiteManifest,
  extra: Partial<Parameters<typeof planPublish>[0]> = {},
) =>
  planPublish({
    releaseId: "r2",
    prefix: "",
    files,
    headers,
    previous,
    keepReleases: 3,
    deleteLimit: 100,
    now: "2026-01-02T00:00:00.000Z",
    ...extra,
  });
const actions = (p: ReturnType<typeof plan>) =>
  Object.fromEntries(p.files.map((f) => [f.key, `${f.action}:${f.reason}`]));

describe("planPublish: what to send", () => {
  it.each([
    {
      name: "first publish: everything is new",
      files: v1,
      previous: undefined,
      expected: {
        "assets/app-1.js": "upload:new",
        "assets/app.css": "upload:new",
        "robots.txt": "upload:new",
        "index.html": "upload:new",
      },
    },
    {
      name: "same content (any mtime): nothing to send",
      files: v1,
      previous: manifest(release("r1", v1)),
      expected: {
        "assets/app-1.js": "skip:unchanged",
        "assets/app.css": "skip:unchanged",
        "robots.txt": "skip:unchanged",
        "index.html": "skip:unchanged",
      },
    },
    {
      name: "same size, other content: sent",
      files: [
        file("index.html", "a"),
        file("assets/app-1.js", "b"),
        file("assets/app.css", "c"),
        file("robots.txt", "e"),
      ],
      previous: manifest(release("r1", v1)),
      expected: {
        "assets/app-1.js": "skip:unchanged",
        "assets/app.css": "skip:unchanged",
        "robots.txt": "upload:content",
        "index.html": "skip:unchanged",
      },
    },
    {
      name: "new hashed asset and the page that references it",
      files: [
        file("index.html", "f"),
        file("assets/app-2.js", "g"),
        file("assets/app.css", "c"),
        file("robots.txt", "d"),
      ],
      previous: manifest(release("r1", v1)),
      expected: {
        "assets/app-2.js": "upload:new",
        "assets/app.css": "skip:unchanged",
        "robots.txt": "skip:unchanged",
        "index.html": "upload:content",
      },
    },
    {
      name: "bytes another key holds: copied inside the bucket",
      files: [...v1, file("copy.txt", "d")],
      previous: manifest(release("r1", v1)),
      expected: {
        "assets/app-1.js": "skip:unchanged",
        "assets/app.css": "skip:unchanged",
        "copy.txt": "copy:new",
        "robots.txt": "skip:unchanged",
        "index.html": "skip:unchanged",
      },
    },
    {
      name: "a key being overwritten is not a copy source",
      files: [
        file("index.html", "a"),
        file("assets/app-1.js", "b"),
        file("assets/app.css", "c"),
        file("robots.txt", "z"),
        file("old-robots.txt", "d"),
      ],
      previous: manifest(release("r1", v1)),
      expected: {
        "assets/app-1.js": "skip:unchanged",
        "assets/app.css": "skip:unchanged",
        "old-robots.txt": "upload:new",
        "robots.txt": "upload:content",
        "index.html": "skip:unchanged",
      },
    },
  ])("$name", ({ files, previous, expected }) => {
    expect(actions(plan(files, previous))).toEqual(expected);
  });

  it("a header-only change (a new Cache-Control rule) is applied with a copy onto itself", () => {
    const withRule = headerRules({
      immutable: new Set(["assets/app-1.js", "assets/app.css"]),
      immutablePatterns: [],
      entryPoints: new Set(["index.html"]),
      entryPatterns: [],
      cacheControlRules: [{ pattern: "robots.txt", value: "public, max-age=60" }],
      contentTypeRules: [],
    });
    const p = plan(v1, manifest(release("r1", v1)), { headers: withRule });
    const robots = p.files.find((f) => f.key === "robots.txt");
    expect(robots).toMatchObject({
      action: "copy",
      reason: "headers",
      copyFrom: "robots.txt",
      cacheControl: "public, max-age=60",
    });
    expect(p.invalidate).toEqual(["robots.txt"]);
  });

  it("orders immutable assets, then other files, then entry points", () => {
    const p = plan([
      file("z.html", "1"),
      file("a.txt", "2"),
      file("index.html", "3"),
      file("assets/app-1.js", "4"),
      file("assets/app.css", "5"),
    ]);
    expect(p.files.map((f) => `${f.role}:${f.key}`)).toEqual([
      "immutable:assets/app-1.js",
      "immutable:assets/app.css",
      "other:a.txt",
      "entry:index.html",
      "entry:z.html",
    ]);
  });

  it("invalidates changed entry points and other files, not new hashed assets", () => {
    const p = plan(
      [
        file("index.html", "f"),
        file("assets/app-2.js", "g"),
        file("assets/app.css", "c"),
        file("robots.txt", "d"),
      ],
      manifest(release("r1", v1)),
    );
    expect(p.invalidate).toEqual(["index.html"]);
  });

  it("writes no manifest when nothing changed", () => {
    const previous = manifest(release("r2", v1));
    expect(plan(v1, previous).manifest).toBeUndefined();
    expect(plan(v1, manifest(release("r1", v1))).manifest?.live.releaseId).toBe("r2");
  });

  it("puts the key prefix in front of every key", () => {
    const p = plan(v1, undefined, { prefix: "previews/pr-7/" });
    expect(p.files.map((f) => f.key)).toContain("previews/pr-7/index.html");
    expect(p.manifest?.prefix).toBe("previews/pr-7/");
  });
});

describe("planPublish: the bucket as it is", () => {
  /** A listing of the bucket holding exactly these files, as S3 reports single-part uploads. */
  const listing = (files: LocalFile[]) =>
    new Map(files.map((f) => [f.path, { size: f.size, etag: f.md5 }]));
  const live = manifest(release("r1", v1));

  it("sends nothing when the bucket holds what the manifest says", () => {
    const result = plan(v1, live, { listed: listing(v1), releaseId: "r1" });
    expect(result.files.every((f) => f.action === "skip")).toBe(true);
    expect(result.manifest).toBeUndefined();
  });

  it("puts back a file deleted outside shipline, and invalidates it", () => {
    const listed = listing(v1);
    listed.delete("assets/app-1.js");
    const result = plan(v1, live, { listed });
    const js = result.files.find((f) => f.key === "assets/app-1.js");
    expect(js).toMatchObject({ action: "upload", reason: "missing" });
    expect(result.files.filter((f) => f.action !== "skip")).toHaveLength(1);
    expect(result.invalidate).toEqual(["assets/app-1.js"]);
  });

  it("replaces a file changed outside shipline: another size, or another MD5", () => {
    const listed = listing(v1);
    listed.set("index.html", { size: 11, etag: "e".repeat(32) });
    listed.set("robots.txt", { size: 10, etag: "f".repeat(32) });
    const result = plan(v1, live, { listed });
    expect(result.files.filter((f) => f.action !== "skip").map((f) => [f.key, f.reason])).toEqual([
      ["robots.txt", "drifted"],
      ["index.html", "drifted"],
    ]);
  });

  it("compares sizes only where the ETag is not an MD5 (multipart, KMS)", () => {
    const listed = listing(v1);
    listed.set("assets/app.css", { size: 10, etag: `${"9".repeat(32)}-2` });
    expect(plan(v1, live, { listed }).files.every((f) => f.action === "skip")).toBe(true);
  });

  it("with ETags that are not MD5s (SSE-KMS), compares the one recorded when shipline wrote it", () => {
    const recorded = release("r1", v1);
    for (const [key, file] of Object.entries(recorded.files))
      recorded.files[key] = { ...file, etag: `kms-${key}` };
    const listed = new Map(v1.map((f) => [f.path, { size: f.size, etag: `kms-${f.path}` }]));
    const unchanged = plan(v1, manifest(recorded), { listed, releaseId: "r1" });
    expect(unchanged.files.every((f) => f.action === "skip")).toBe(true);
    // The ETags are carried into the next release, for the publish after.
    expect(plan(v1, manifest(recorded), { listed }).manifest?.live.files["index.html"]?.etag).toBe(
      "kms-index.html",
    );
    listed.set("robots.txt", { size: 10, etag: "kms-rewritten" });
    expect(
      plan(v1, manifest(recorded), { listed }).files.filter((f) => f.action !== "skip"),
    ).toMatchObject([{ key: "robots.txt", action: "upload", reason: "drifted" }]);
  });

  it("never copies from an object the bucket shows changed; sends the bytes instead", () => {
    // r2 moves app-1.js's content to app-2.js: normally a server-side copy from app-1.js.
    const moved = [...v1.filter((f) => f.path !== "assets/app-1.js"), file("assets/app-2.js", "b")];
    expect(
      plan(moved, live, { listed: listing(v1) }).files.find((f) => f.key === "assets/app-2.js"),
    ).toMatchObject({ action: "copy", copyFrom: "assets/app-1.js" });
    const listed = listing(v1);
    listed.set("assets/app-1.js", { size: 10, etag: "0".repeat(32) });
    expect(
      plan(moved, live, { listed }).files.find((f) => f.key === "assets/app-2.js"),
    ).toMatchObject({ action: "upload", reason: "new" });
  });
});

describe("planPublish: releases kept and deletes", () => {
  const releaseWith = (id: string, asset: string) =>
    release(id, [file("index.html", id), file(asset, asset)]);
  const r = (n: number) => releaseWith(`r${n}`, `assets/app-${n}.js`);

  it.each([
    {
      name: "keep 3: the 4th oldest release's own files go",
      keep: 3,
      history: [r(3), r(2), r(1), r(0)],
      deletes: ["assets/app-0.js"],
    },
    {
      name: "keep 3 with 3 earlier releases: nothing goes",
      keep: 3,
      history: [r(3), r(2), r(1)],
      deletes: [],
    },
    {
      name: "keep 0: every earlier release's own files go",
      keep: 0,
      history: [r(3), r(2)],
      deletes: ["assets/app-2.js", "assets/app-3.js"],
    },
  ])("$name", ({ keep, history, deletes }) => {
    const [live, ...rest] = history;
    const p = plan(
      [file("index.html", "new"), file("assets/app-9.js", "9")],
      manifest(live as Release, rest),
      { keepReleases: keep },
    );
    expect(p.deletes).toEqual(deletes);
    expect(p.deleteBytes).toBe(deletes.length * 10);
    expect(p.manifest?.history.map((h) => h.releaseId)).toEqual(
      history.slice(0, keep).map((h) => h.releaseId),
    );
    expect(p.manifest?.pendingDeletes).toEqual(deletes);
  });

  it("never deletes a key a kept release uses", () => {
    const p = plan(v1, manifest(release("r1", v1), [], ["assets/app-1.js"]), { keepReleases: 0 });
    expect(p.deletes).toEqual([]);
  });

  it("never deletes a key outside the site's prefix, even if a manifest names it", () => {
    const old = release("r0", [file("a.js", "q")], "elsewhere/");
    const p = plan(
      v1,
      { ...manifest(release("r1", v1, "previews/pr-7/"), [old]), prefix: "previews/pr-7/" },
      {
        keepReleases: 0,
        prefix: "previews/pr-7/",
      },
    );
    expect(p.deletes).toEqual([]);
  });

  it("retries deletes a previous publish could not finish", () => {
    const p = plan(v1, manifest(release("r1", v1), [], ["assets/gone.js"]));
    expect(p.deletes).toEqual(["assets/gone.js"]);
  });

  it("refuses, before anything changes, to delete more than the limit", () => {
    const [live, ...rest] = [r(3), r(2), r(1), r(0), r(-1)];
    expect(() =>
      plan([file("index.html", "new")], manifest(live as Release, rest), {
        keepReleases: 1,
        deleteLimit: 2,
      }),
    ).toThrow(ConfigurationError);
    expect(() =>
      plan([file("index.html", "new")], manifest(live as Release, rest), {
        keepReleases: 1,
        deleteLimit: 2,
      }),
    ).toThrow(/delete-limit/);
  });
});

describe("planPublish: snapshots of entry points for rollbacks", () => {
  const folder = ".shipline/web/root/objects/";
  it("snapshots new entry points by content, once; never other files", () => {
    const first = plan(v1, undefined, { snapshotFolder: folder });
    expect(first.snapshots).toEqual([{ key: `${folder}${sha("a")}`, from: "index.html" }]);
    const previous = manifest(release("r1", v1));
    expect(plan(v1, previous, { snapshotFolder: folder }).snapshots).toEqual([]);
    const next = plan([file("index.html", "n"), ...v1.slice(1)], previous, {
      snapshotFolder: folder,
    });
    expect(next.snapshots).toEqual([{ key: `${folder}${sha("n")}`, from: "index.html" }]);
  });

  it("deletes the snapshots of dropped releases unless a kept release has the same content", () => {
    const old = release("r0", [file("index.html", "o"), file("robots.txt", "d")]);
    const live = release("r1", v1);
    const p = plan(v1, manifest(live, [old]), {
      snapshotFolder: folder,
      keepReleases: 1,
      releaseId: "r2",
    });
    expect(p.deletes).toEqual([`${folder}${sha("o")}`]);
  });
});

describe("planRestore", () => {
  const folder = ".shipline/web/root/objects/";
  const r1 = release("r1", v1);
  const r2 = release("r2", [
    file("index.html", "n"),
    file("assets/app-2.js", "g"),
    file("assets/app.css", "c"),
    file("robots.txt", "d"),
  ]);
  it.each([
    { name: "previous", target: "previous", release: "r1", copies: ["index.html"] },
    { name: "by id", target: "r1", release: "r1", copies: ["index.html"] },
    { name: "the live one: nothing to do", target: "r2", release: "r2", copies: [] },
  ])("$name", ({ target, release: id, copies }) => {
    const p = planRestore(manifest(r2, [r1]), target, folder, "2026-01-03T00:00:00.000Z");
    expect(p.release.releaseId).toBe(id);
    expect(p.copies.map((c) => c.key)).toEqual(copies);
    if (copies.length > 0) {
      expect(p.copies[0]?.from).toBe(`${folder}${sha("a")}`);
      expect(p.manifest?.live.releaseId).toBe("r1");
      expect(p.manifest?.history.map((h) => h.releaseId)).toEqual(["r2"]);
    }
  });
  it("puts back the live release's pages when the bucket serves another's (a run died after uploading them)", () => {
    const served = { "index.html": sha("x") };
    const p = planRestore(manifest(r2, [r1]), "r2", folder, "now", served);
    expect(p.copies.map((c) => [c.key, c.from])).toEqual([["index.html", `${folder}${sha("n")}`]]);
    // The manifest names r2 live already: nothing to rewrite.
    expect(p.manifest).toBeUndefined();
    const already = planRestore(manifest(r2, [r1]), "r2", folder, "now", {
      "index.html": sha("n"),
    });
    expect(already.copies).toEqual([]);
  });
  it("refuses a release that is not kept, naming the kept ones", () => {
    expect(() => planRestore(manifest(r2, [r1]), "r0", folder, "now")).toThrow(
      /"r0" is not one of the kept releases of this site \(r2, r1\)/,
    );
  });
});
