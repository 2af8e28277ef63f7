import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, mkdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  type BaseImageKind,
  type BaseRecipe,
  nginxRecipe,
  nodeRecipe,
  pythonFlaskRecipe,
  pythonRecipe,
} from "./base-recipes";
import { writeLayer } from "./layer-writer";
import {
  adoptBlob,
  blobPath,
  initLayout,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  REF_NAME,
  readIndex,
  writeIndex,
  writeJsonBlob,
} from "./oci-layout";

/** Bump when the recipe or layout format changes, so old cache entries are not reused. */
const RECIPE_VERSION = "3";
const EPOCH = new Date(0);

export interface BaseImage {
  kind: BaseImageKind;
  /** The software's version, also the tag inside the layout. */
  version: string;
  tag: string;
  layoutDir: string;
  /** skopeo's name for the image: `oci:<layoutDir>:<tag>`. */
  reference: string;
  /** The manifest's digest: what a registry reports after a push. */
  digest: string;
  configDigest: string;
  layerDigest: string;
  diffId: string;
  /** true when the layout came from the cache and nothing was built. */
  cached: boolean;
}

export interface BuildBaseImageOptions {
  /** The binary the image is built around (default: this node, /usr/sbin/nginx, /usr/bin/python3). */
  binary?: string;
  /** gzip level of the layer; 6 as `gzip` does by default. */
  gzipLevel?: number;
}

async function recipeFor(kind: BaseImageKind, binary?: string): Promise<BaseRecipe> {
  if (kind === "node") return nodeRecipe(binary);
  if (kind === "nginx") return nginxRecipe(binary);
  if (kind === "python") return pythonRecipe(binary);
  if (kind === "python-flask") return pythonFlaskRecipe(binary);
  throw new Error(
    `unknown base image kind ${JSON.stringify(kind)}: expected "node", "nginx", "python" or "python-flask"`,
  );
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** The cache key: the recipe's shape and the content of every file copied from this machine. */
async function recipeKey(recipe: BaseRecipe): Promise<string> {
  const hash = createHash("sha256").update(`${RECIPE_VERSION}\n${recipe.kind}\n`);
  hash.update(JSON.stringify(recipe.config));
  for (const entry of recipe.entries) {
    const { path, type } = entry;
    if (type === "file" && "source" in entry) {
      hash.update(`${path} ${entry.mode} ${await hashFile(entry.source)}\n`);
    } else {
      hash.update(
        `${JSON.stringify({ ...entry, content: "content" in entry ? entry.content.toString("base64") : undefined })}\n`,
      );
    }
  }
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Builds a minimal base image (one reproducible layer) from this machine's own binaries as an OCI
 * image layout under `cacheDir`, keyed by the content of what goes in: a second call with the same
 * binaries returns the cached layout without building.
 */
export async function buildBaseImage(
  kind: BaseImageKind,
  cacheDir: string,
  options: BuildBaseImageOptions = {},
): Promise<BaseImage> {
  const recipe = await recipeFor(kind, options.binary);
  const key = await recipeKey(recipe);
  const layoutDir = join(cacheDir, `${kind}-${recipe.version}-${key.slice(0, 16)}`);
  const tag = recipe.version;
  if (!(await exists(join(layoutDir, "index.json")))) {
    await mkdir(cacheDir, { recursive: true });
    // Build aside and rename: a concurrent build of the same image never sees a half layout.
    const staging = `${layoutDir}.building-${randomBytes(4).toString("hex")}`;
    try {
      await writeLayout(recipe, staging, tag, options.gzipLevel);
      await rename(staging, layoutDir).catch(async (error: NodeJS.ErrnoException) => {
        if (!(await exists(join(layoutDir, "index.json")))) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return { ...(await describeLayout(recipe, layoutDir, tag)), cached: false };
  }
  return { ...(await describeLayout(recipe, layoutDir, tag)), cached: true };
}

async function writeLayout(
  recipe: BaseRecipe,
  layoutDir: string,
  tag: string,
  gzipLevel?: number,
): Promise<void> {
  await initLayout(layoutDir);
  const layerFile = join(layoutDir, "layer.tmp");
  const layer = await writeLayer(recipe.entries, layerFile, { mtime: EPOCH, gzipLevel });
  await adoptBlob(layoutDir, layerFile, layer.digest);
  const created = EPOCH.toISOString();
  const config = await writeJsonBlob(layoutDir, OCI_CONFIG, {
    created,
    architecture: "amd64",
    os: "linux",
    config: {
      ...recipe.config,
      Labels: {
        "org.opencontainers.image.title": `localcloud ${recipe.kind} base`,
        "org.opencontainers.image.version": recipe.version,
      },
    },
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [
      {
        created,
        created_by: `localcloud base image: ${recipe.kind} ${recipe.version} from this machine`,
      },
    ],
  });
  const manifest = await writeJsonBlob(layoutDir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size }],
    annotations: {
      "org.opencontainers.image.title": `localcloud ${recipe.kind} base`,
      "org.opencontainers.image.version": recipe.version,
      "org.opencontainers.image.created": created,
    },
  });
  await writeIndex(layoutDir, [
    {
      ...manifest,
      annotations: { [REF_NAME]: tag },
      platform: { architecture: "amd64", os: "linux" },
    },
  ]);
}

async function describeLayout(
  recipe: BaseRecipe,
  layoutDir: string,
  tag: string,
): Promise<Omit<BaseImage, "cached">> {
  const index = await readIndex(layoutDir);
  const manifest = index.manifests.find((entry) => entry.annotations?.[REF_NAME] === tag);
  if (!manifest) throw new Error(`${layoutDir}/index.json has no manifest tagged ${tag}`);
  const body = JSON.parse(await readFile(blobPath(layoutDir, manifest.digest), "utf8"));
  const config = JSON.parse(await readFile(blobPath(layoutDir, body.config.digest), "utf8"));
  return {
    kind: recipe.kind,
    version: recipe.version,
    tag,
    layoutDir,
    reference: `oci:${layoutDir}:${tag}`,
    digest: manifest.digest,
    configDigest: body.config.digest,
    layerDigest: body.layers[0].digest,
    diffId: config.rootfs.diff_ids[0],
  };
}
