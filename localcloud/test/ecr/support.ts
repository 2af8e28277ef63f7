import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import {
  adoptBlob,
  blobPath,
  initLayout,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  REF_NAME,
  writeIndex,
  writeJsonBlob,
  writeLayer,
} from "../../src/images/index";
import type { Localcloud } from "../../src/index";
import { createEcrServiceFactory, type EcrServiceOptions } from "../../src/services/ecr/index";
import { clientConfig, startTestCloud } from "../helpers/cloud";

export type TestCloud = Awaited<ReturnType<typeof startTestCloud>>;

/** A localcloud that runs only ECR (fast to start), optionally with a test clock. */
export const startEcrCloud = (options: EcrServiceOptions & { stateDir?: string } = {}) => {
  const { stateDir, ...ecr } = options;
  return startTestCloud({
    services: [createEcrServiceFactory(ecr)],
    ...(stateDir ? { stateDir } : {}),
  });
};

export const ecrClient = (cloud: Localcloud, maxAttempts = 1) =>
  new ECRClient({ ...clientConfig(cloud), maxAttempts });

export const sha256 = (bytes: Buffer | string) =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export const basicAuth = (password: string) =>
  `Basic ${Buffer.from(`AWS:${password}`).toString("base64")}`;

/** Logs in as a client would: GetAuthorizationToken, then decode `AWS:<password>`. */
export const login = async (cloud: Localcloud) => {
  const { authorizationData } = await ecrClient(cloud).send(new GetAuthorizationTokenCommand({}));
  const data = authorizationData?.[0];
  const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
  const password = decoded.replace(/^AWS:/, "");
  const url = data?.proxyEndpoint ?? "";
  return { password, url, host: new URL(url).host, auth: basicAuth(password), data };
};

/** A registry client that is nothing but fetch with the Basic header. */
export const registryFetch =
  (url: string, auth: string) =>
  (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: auth, ...init.headers } });

export interface TinyImage {
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
  digest: string;
  mediaType: string;
}

/** An image made of random bytes (config and layers need not be real for the registry). */
export const tinyImage = (
  mediaType = "application/vnd.docker.distribution.manifest.v2+json",
  layerCount = 2,
): TinyImage => {
  const docker = mediaType.includes("docker");
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", nonce: randomBytes(8).toString("hex") }),
  );
  const layers = Array.from({ length: layerCount }, () =>
    randomBytes(1024 + Math.floor(Math.random() * 4096)),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: docker ? "application/vnd.docker.container.image.v1+json" : OCI_CONFIG,
        digest: sha256(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : OCI_LAYER_GZIP,
        digest: sha256(layer),
        size: layer.length,
      })),
    }),
  );
  return { config, layers, manifest, digest: sha256(manifest), mediaType };
};

/** Pushes blobs monolithically (POST ?digest=) and the manifest under `reference`. */
export const pushImage = async (
  registry: ReturnType<typeof registryFetch>,
  repository: string,
  image: TinyImage,
  reference: string,
) => {
  for (const blob of [image.config, ...image.layers]) {
    const response = await registry(`/v2/${repository}/blobs/uploads/?digest=${sha256(blob)}`, {
      method: "POST",
      body: blob,
      headers: { "content-type": "application/octet-stream" },
    });
    if (response.status !== 201)
      throw new Error(`blob upload: ${response.status} ${await response.text()}`);
  }
  return registry(`/v2/${repository}/manifests/${reference}`, {
    method: "PUT",
    body: image.manifest,
    headers: { "content-type": image.mediaType },
  });
};

/**
 * Writes a small but real image (a gzip tar layer with one file) as an OCI layout, as skopeo's
 * `oci:<dir>:<tag>` reads it.
 */
export const writeTinyLayout = async (layoutDir: string, tag: string) => {
  await initLayout(layoutDir);
  const layerFile = join(layoutDir, "layer.tmp");
  const layer = await writeLayer(
    [
      {
        type: "file",
        path: "/hello.txt",
        mode: 0o644,
        content: Buffer.from(`hello ${randomBytes(8).toString("hex")}\n`),
      },
    ],
    layerFile,
    { mtime: new Date(0) },
  );
  await adoptBlob(layoutDir, layerFile, layer.digest);
  const config = await writeJsonBlob(layoutDir, OCI_CONFIG, {
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["/bin/true"] },
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
  });
  const manifest = await writeJsonBlob(layoutDir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size }],
  });
  await writeIndex(layoutDir, [{ ...manifest, annotations: { [REF_NAME]: tag } }]);
  return {
    reference: `oci:${layoutDir}:${tag}`,
    digest: manifest.digest,
    layerDigest: layer.digest,
    manifest: await readFile(blobPath(layoutDir, manifest.digest)),
  };
};
