import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/lib/errors";
import { headerRules, IMMUTABLE_CACHE_CONTROL, isContentHashedName } from "../../src/web/headers";
import { walkFolder } from "../../src/web/walk";

const folder = async (files: Record<string, string>) => {
  const dir = await mkdtemp(join(tmpdir(), "shipline-walk-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
};

describe("walkFolder", () => {
  it("lists files sorted with their sha256 and size", async () => {
    const dir = await folder({ "index.html": "<p>hi</p>", "assets/a.js": "x" });
    expect(await walkFolder(dir)).toEqual([
      {
        path: "assets/a.js",
        absolutePath: join(dir, "assets/a.js"),
        size: 1,
        sha256: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
        md5: "9dd4e461268c8034f5c8564e155c67a6",
      },
      expect.objectContaining({ path: "index.html", size: 9 }),
    ]);
  });

  it.each([
    {
      name: "a missing folder",
      make: async () => join(tmpdir(), "shipline-no-such-folder"),
      message: /does not exist/,
    },
    { name: "an empty folder", make: async () => folder({}), message: /is empty/ },
    {
      name: "a link leaving the folder",
      make: async () => {
        const dir = await folder({ "index.html": "x" });
        await symlink("/etc/hostname", join(dir, "secret.txt"));
        return dir;
      },
      message: /leads outside the folder/,
    },
  ])("refuses $name", async ({ make, message }) => {
    const dir = await make();
    const walking = walkFolder(dir);
    await expect(walking).rejects.toBeInstanceOf(ConfigurationError);
    await expect(walkFolder(dir)).rejects.toThrow(message);
  });

  it("follows a link that stays inside the folder, publishing both paths", async () => {
    const dir = await folder({ "index.html": "x", "real/a.txt": "a" });
    await symlink(join(dir, "real"), join(dir, "alias"));
    expect((await walkFolder(dir)).map((f) => f.path)).toEqual([
      "alias/a.txt",
      "index.html",
      "real/a.txt",
    ]);
  });

  it("refuses a link that loops back into its own folder", async () => {
    const dir = await folder({ "index.html": "x", "docs/a.txt": "a" });
    await symlink(dir, join(dir, "docs", "up"));
    await expect(walkFolder(dir)).rejects.toThrow(/leads back into a folder that contains it/);
  });

  it("refuses a file name that is not UTF-8, naming it", async () => {
    const dir = await folder({ "index.html": "x" });
    await writeFile(
      Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from(".txt")]),
      "x",
    );
    const walking = walkFolder(dir);
    await expect(walking).rejects.toBeInstanceOf(ConfigurationError);
    await expect(walkFolder(dir)).rejects.toThrow(
      /file name "caf.\.txt" .* is not UTF-8 \(bytes 636166e92e747874\)/,
    );
  });
});

describe("headerRules", () => {
  const rules = headerRules({
    immutable: new Set(["assets/main-ABC.js"]),
    immutablePatterns: ["static/**"],
    entryPoints: new Set(["index.html"]),
    entryPatterns: ["**/*.html"],
    cacheControlRules: [
      { pattern: "**/*.json", value: "public, max-age=60" },
      { pattern: "*.json", value: "never-reached: the first match wins" },
    ],
    contentTypeRules: [{ pattern: "**/*.wasm", value: "application/wasm" }],
  });
  it.each([
    {
      path: "assets/main-ABC.js",
      role: "immutable",
      cacheControl: IMMUTABLE_CACHE_CONTROL,
      contentType: "text/javascript; charset=utf-8",
    },
    {
      path: "index.html",
      role: "entry",
      cacheControl: "no-cache",
      contentType: "text/html; charset=utf-8",
    },
    {
      path: "static/logo.svg",
      role: "immutable",
      cacheControl: IMMUTABLE_CACHE_CONTROL,
      contentType: "image/svg+xml",
    },
    {
      path: "asset-manifest.json",
      role: "other",
      cacheControl: "public, max-age=60",
      contentType: "application/json; charset=utf-8",
    },
    { path: "app.wasm", role: "other", cacheControl: "no-cache", contentType: "application/wasm" },
    {
      path: "LICENSE",
      role: "other",
      cacheControl: "no-cache",
      contentType: "application/octet-stream",
    },
  ])("$path: $role, $cacheControl, $contentType", ({ path, ...expected }) => {
    expect(rules(path)).toEqual(expected);
  });

  it("without rules: immutable assets cached a year, everything else revalidated, HTML never immutable", () => {
    const plain = headerRules({
      immutable: new Set(["a.html", "b.js"]),
      immutablePatterns: [],
      entryPoints: new Set(),
      entryPatterns: ["**/*.html"],
      cacheControlRules: [],
      contentTypeRules: [],
    });
    expect(plain("b.js").cacheControl).toBe(IMMUTABLE_CACHE_CONTROL);
    expect(plain("a.html")).toMatchObject({ role: "entry", cacheControl: "no-cache" });
    expect(plain("c.txt")).toMatchObject({ role: "other", cacheControl: "no-cache" });
  });
});

describe("isContentHashedName (the default immutable rule)", () => {
  it.each([
    "assets/index-5QFKU2XN.js",
    "static/js/main.3f2a1b9c.chunk.js",
    "logo.8d1e4f0a6b.svg",
    "assets/vendor-Bx7qK2mA.css",
    "fonts/inter-var.a1b2c3d4e5f6.woff2",
  ])("%s carries a hash", (path) => {
    expect(isContentHashedName(path)).toBe(true);
  });

  it.each([
    "index.html",
    "assets/logo.svg",
    "robots.txt",
    "apple-touch-icon.png",
    "background-gradient.png",
    "report-20240101.pdf",
    "a1b2c3d4e5f6.js",
    "assets/app-1.js",
  ])("%s does not", (path) => {
    expect(isContentHashedName(path)).toBe(false);
  });
});
