import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImageInputs } from "../../scripts/sample-images";
import { BUILD_IMAGE_FLAGS } from "../../src/cli/build-image";
import { flagsToRawInputs } from "../../src/cli/options";
import { parseBuildImageInputs } from "../../src/images/inputs";
import { ConfigurationError } from "../../src/lib/errors";
import { buildLayerTar, collectFolder, type LayerEntry } from "../../src/oci/layer";
import { parseLayerPatterns, splitLayerEntries } from "../../src/oci/layer-split";

let folder: string;

/** A folder shaped like app-api/dist: runtime assets, code bundles, migrations, an empty folder. */
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "layer-split-"));
  await mkdir(join(folder, "migrations"));
  await mkdir(join(folder, "assets", "fonts"), { recursive: true });
  await mkdir(join(folder, "empty"));
  await writeFile(join(folder, "server.mjs"), "console.log('server');\n");
  await writeFile(join(folder, "migrate.mjs"), "console.log('migrate');\n");
  await writeFile(join(folder, "pglite.wasm"), Buffer.alloc(4096, 1));
  await writeFile(join(folder, "pglite.data"), Buffer.alloc(4096, 2));
  await writeFile(join(folder, "initdb.wasm"), Buffer.alloc(2048, 3));
  await writeFile(join(folder, "migrations", "0001_init.sql"), "create table t (id int);\n");
  await writeFile(join(folder, "assets", "fonts", "a.woff2"), "font");
  await writeFile(join(folder, ".hidden.wasm"), "dot files match too");
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const paths = (layer: LayerEntry[] | undefined) =>
  (layer ?? []).map((entry) => (entry.type === "directory" ? `${entry.path}/` : entry.path)).sort();

describe("parseLayerPatterns", () => {
  it("reads one group per line, patterns separated by spaces, blank lines ignored", () => {
    expect(parseLayerPatterns("*.wasm *.data\n\n  assets/**  \n*.{png,jpg}")).toEqual([
      ["*.wasm", "*.data"],
      ["assets/**"],
      ["*.{png,jpg}"],
    ]);
  });

  it.each(["/etc/*.conf", "../secrets/*", "a/../../b"])("refuses %s", (pattern) => {
    expect(() => parseLayerPatterns(pattern)).toThrow(ConfigurationError);
  });

  it("takes one CLI --layers flag per layer", () => {
    const raw = flagsToRawInputs({ layers: ["*.wasm *.data", "assets/**"] }, BUILD_IMAGE_FLAGS);
    const inputs = parseBuildImageInputs({
      ...raw,
      repository: "r",
      tags: "t",
      "base-image": "127.0.0.1:5000/base/node:20",
    });
    expect(inputs.layers).toEqual([["*.wasm", "*.data"], ["assets/**"]]);
  });

  it("is validated with the other inputs, naming the input", () => {
    expect(() =>
      parseBuildImageInputs({
        repository: "r",
        tags: "t",
        "base-image": "127.0.0.1:5000/base/node:20",
        layers: "*.wasm\n../x",
      }),
    ).toThrow(/input "layers" pattern "\.\.\/x"/);
    const inputs = parseBuildImageInputs({
      repository: "r",
      tags: "t",
      "base-image": "127.0.0.1:5000/base/node:20",
    });
    expect(inputs.layers).toEqual([]);
  });
});

describe("splitLayerEntries", () => {
  it("puts each file in the first group that matches, the rest last, with parent folders", async () => {
    const entries = await collectFolder(folder, "/srv/app");
    const layers = splitLayerEntries(entries, "srv/app", [["*.wasm", "*.data"], ["assets/**"]]);
    expect(layers.map(paths)).toEqual([
      [
        "srv/",
        "srv/app/",
        "srv/app/.hidden.wasm",
        "srv/app/initdb.wasm",
        "srv/app/pglite.data",
        "srv/app/pglite.wasm",
      ],
      [
        "srv/",
        "srv/app/",
        "srv/app/assets/",
        "srv/app/assets/fonts/",
        "srv/app/assets/fonts/a.woff2",
      ],
      [
        "srv/",
        "srv/app/",
        "srv/app/empty/",
        "srv/app/migrate.mjs",
        "srv/app/migrations/",
        "srv/app/migrations/0001_init.sql",
        "srv/app/server.mjs",
      ],
    ]);
  });

  it("loses and duplicates no file: the layers together hold the folder", async () => {
    const entries = await collectFolder(folder, "/app");
    const layers = splitLayerEntries(entries, "app", [["*.mjs"], ["migrations/*"]]);
    const files = layers.flat().filter((entry) => entry.type !== "directory");
    expect(files.map((entry) => entry.path).sort()).toEqual(
      entries
        .filter((entry) => entry.type !== "directory")
        .map((entry) => entry.path)
        .sort(),
    );
    expect(new Set(layers.flat().map((entry) => entry.path))).toEqual(
      new Set(entries.map((entry) => entry.path)),
    );
  });

  it("keeps a group that matches nothing as a layer of the destination's folders only", async () => {
    const entries = await collectFolder(folder, "/app");
    const layers = splitLayerEntries(entries, "app", [["*.nothing"]]);
    expect(layers.map(paths)[0]).toEqual(["app/"]);
    expect(layers[1]?.filter((entry) => entry.type === "file")).toHaveLength(8);
  });

  it("the sample api image (workflows/shipline.yml) puts PGlite's runtime assets first and the code last", async () => {
    const inputs = parseBuildImageInputs({
      ...(await sampleImageInputs("api")),
      context: folder,
      repository: "shipline/api",
      tags: "t",
      "base-image": "127.0.0.1:5000/base/node:20",
    });
    const entries = await collectFolder(inputs.context, inputs.destination);
    const [assets, code, ...more] = splitLayerEntries(entries, "app", inputs.layers);
    expect(more).toEqual([]);
    expect(paths(assets).filter((path) => !path.endsWith("/"))).toEqual([
      "app/.hidden.wasm",
      "app/initdb.wasm",
      "app/pglite.data",
      "app/pglite.wasm",
    ]);
    expect(paths(code)).toContain("app/server.mjs");
    expect(paths(code)).toContain("app/migrate.mjs");
    expect(paths(code)).toContain("app/migrations/0001_init.sql");
  });

  it("gives reproducible layers, and a code change leaves the assets layer's diff_id alone", async () => {
    const build = async () => {
      const entries = await collectFolder(folder, "/app");
      const parts = splitLayerEntries(entries, "app", [["*.wasm", "*.data"]]);
      return Promise.all(parts.map((part) => buildLayerTar(part, 1_700_000_000)));
    };
    const first = await build();
    const again = await build();
    expect(again.map((layer) => layer.diffId)).toEqual(first.map((layer) => layer.diffId));
    await writeFile(join(folder, "server.mjs"), "console.log('server, changed');\n");
    const changed = await build();
    expect(changed[0]?.diffId).toBe(first[0]?.diffId);
    expect(changed[1]?.diffId).not.toBe(first[1]?.diffId);
  });
});
