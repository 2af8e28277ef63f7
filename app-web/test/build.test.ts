import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AssetManifest, BuildSettingsError, buildWeb } from "../scripts/build";
import { hashTree, listFiles } from "./support/files";

const appWebDir = fileURLToPath(new URL("..", import.meta.url));
const sourceDir = path.join(appWebDir, "src");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "app-web-build-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const out = (name: string) => path.join(tmp, name);
const readManifest = async (dir: string): Promise<AssetManifest> =>
  JSON.parse(await readFile(path.join(dir, "asset-manifest.json"), "utf8"));
const assetNames = (manifest: AssetManifest, extension: string) =>
  manifest.immutable.filter((file) => file.endsWith(extension));

describe("buildWeb", () => {
  it("gives byte-identical output when run twice with the same sources and settings", async () => {
    const settings = { basePath: "/previews/pr-7/", releaseId: "abc123-42" };
    await buildWeb({ outDir: out("twice-a"), ...settings });
    await buildWeb({ outDir: out("twice-b"), ...settings });

    const a = await hashTree(out("twice-a"));
    expect(Object.keys(a).length).toBeGreaterThanOrEqual(4);
    expect(await hashTree(out("twice-b"))).toEqual(a);
  });

  it("writes exactly the files its manifest names, with content-hashed assets", async () => {
    const result = await buildWeb({ outDir: out("listed"), releaseId: "r1" });
    const manifest = await readManifest(out("listed"));

    expect(manifest).toEqual(result.manifest);
    expect(Object.keys(manifest)).toEqual([...Object.keys(manifest)].sort());
    expect(manifest.entryPoints).toEqual(["index.html"]);
    expect(manifest.immutable).toEqual([...manifest.immutable].sort());
    expect(assetNames(manifest, ".js")).toEqual([
      expect.stringMatching(/^assets\/main-[A-Z0-9]{8}\.js$/),
    ]);
    expect(assetNames(manifest, ".css")).toEqual([
      expect.stringMatching(/^assets\/main-[A-Z0-9]{8}\.css$/),
    ]);
    expect(await listFiles(out("listed"))).toEqual(
      [...manifest.entryPoints, ...manifest.immutable, "asset-manifest.json"].sort(),
    );
    expect(result.files.map((file) => file.path)).toEqual(await listFiles(out("listed")));
  });

  it("points index.html at the hashed assets under the base path and carries the settings", async () => {
    await buildWeb({
      outDir: out("prefixed"),
      basePath: "/previews/pr-7",
      releaseId: 'abc123-42"<b>&',
      apiBase: "/api/",
    });
    const manifest = await readManifest(out("prefixed"));
    const html = await readFile(path.join(out("prefixed"), "index.html"), "utf8");

    expect(manifest.basePath).toBe("/previews/pr-7/");
    const urls = [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((match) => match[1]);
    expect(urls.sort()).toEqual(manifest.immutable.map((file) => `/previews/pr-7/${file}`).sort());
    expect(html).toContain(
      '<meta name="shipline-release" content="abc123-42&quot;&lt;b&gt;&amp;">',
    );
    expect(html).toContain('<meta name="shipline-api-base" content="/api">');
  });

  it("keeps the hashed assets when only the release id or the base path changes", async () => {
    await buildWeb({ outDir: out("release-a"), basePath: "/", releaseId: "release-a" });
    await buildWeb({
      outDir: out("release-b"),
      basePath: "/previews/pr-1/",
      releaseId: "release-b",
    });
    const a = await hashTree(out("release-a"));
    const b = await hashTree(out("release-b"));

    const assets = (tree: Record<string, string>) =>
      Object.entries(tree).filter(([file]) => file.startsWith("assets/"));
    expect(assets(b)).toEqual(assets(a));
    expect(b["index.html"]).not.toBe(a["index.html"]);
  });

  it("renames exactly the asset whose source changed", async () => {
    const copy = out("src-copy");
    await cp(sourceDir, copy, { recursive: true });
    const original = await buildWeb({ outDir: out("from-original") });
    // The same sources elsewhere give the same names: the checkout's path does not leak in.
    const unchanged = await buildWeb({ outDir: out("from-copy"), sourceDir: copy });
    expect(unchanged.manifest.immutable).toEqual(original.manifest.immutable);

    await writeFile(
      path.join(copy, "styles.css"),
      `${await readFile(path.join(copy, "styles.css"), "utf8")}\n.footer { letter-spacing: 0.01em; }\n`,
    );
    const cssChanged = (await buildWeb({ outDir: out("css-changed"), sourceDir: copy })).manifest;
    expect(assetNames(cssChanged, ".css")).not.toEqual(assetNames(original.manifest, ".css"));
    expect(assetNames(cssChanged, ".js")).toEqual(assetNames(original.manifest, ".js"));

    const footer = path.join(copy, "views", "footer-view.ts");
    const footerSource = await readFile(footer, "utf8");
    expect(footerSource).toContain('"Web release "');
    await writeFile(footer, footerSource.replace('"Web release "', '"SPA release "'));
    const jsChanged = (await buildWeb({ outDir: out("js-changed"), sourceDir: copy })).manifest;
    expect(assetNames(jsChanged, ".js")).not.toEqual(assetNames(original.manifest, ".js"));
    expect(assetNames(jsChanged, ".css")).toEqual(assetNames(cssChanged, ".css"));
  });

  it("replaces a previous build but refuses to empty any other folder", async () => {
    await buildWeb({ outDir: out("reused") });
    await writeFile(path.join(out("reused"), "assets", "stale-OLDHASH.js"), "stale");
    await buildWeb({ outDir: out("reused") });
    expect(await listFiles(out("reused"))).not.toContain("assets/stale-OLDHASH.js");

    await mkdir(out("precious"));
    await writeFile(path.join(out("precious"), "notes.txt"), "keep me");
    await expect(buildWeb({ outDir: out("precious") })).rejects.toThrow(/refusing to empty/);
    expect(await listFiles(out("precious"))).toEqual(["notes.txt"]);
  });

  it.each([
    [{ basePath: "previews/pr-7" }, /basePath "previews\/pr-7" is not valid/],
    [{ basePath: "/a/../b/" }, /basePath "\/a\/..\/b\/" is not valid/],
    [{ releaseId: "has space" }, /releaseId "has space" is not valid/],
    [{ releaseId: "" }, /releaseId "" is not valid/],
    [{ apiBase: "ftp://example.com/api" }, /apiBase "ftp:\/\/example.com\/api" is not valid/],
  ])("refuses the bad setting %o, quoting it", async (settings, message) => {
    const attempt = buildWeb({ outDir: out("never-written"), ...settings });
    await expect(attempt).rejects.toThrow(BuildSettingsError);
    await expect(attempt).rejects.toThrow(message);
    await expect(listFiles(out("never-written"))).rejects.toThrow(/ENOENT/);
  });
});

describe("the build CLI", () => {
  const run = promisify(execFile);
  const tsx = path.join(appWebDir, "..", "node_modules", ".bin", "tsx");
  const cli = path.join(appWebDir, "scripts", "build.ts");

  it("writes the same bytes as buildWeb() with the same settings", async () => {
    const { stdout } = await run(tsx, [
      cli,
      "--out",
      out("cli"),
      "--base",
      "/previews/pr-7/",
      "--release-id",
      "cli-release",
    ]);
    expect(stdout).toContain("built release cli-release for /previews/pr-7/");
    await buildWeb({ outDir: out("api"), basePath: "/previews/pr-7/", releaseId: "cli-release" });
    expect(await hashTree(out("cli"))).toEqual(await hashTree(out("api")));
  });

  it("exits with code 2 and names the bad value", async () => {
    const failure = await run(tsx, [cli, "--out", out("cli-bad"), "--base", "no-slash"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('"no-slash"') });
  });
});
