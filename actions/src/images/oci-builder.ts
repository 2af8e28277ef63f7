import type { Logger } from "../lib/logger";
import { type ResolvedBase, resolveBase } from "../oci/base";
import { describeJson, epochToRfc3339, OciLabel, updateConfig } from "../oci/config";
import { MEMBERS_ANNOTATION, membersOf, parseMembers, sliceHashes } from "../oci/gzip-members";
import {
  buildLayerTar,
  collectFolder,
  compressLayer,
  type LayerBlob,
  type LayerTar,
} from "../oci/layer";
import { buildManifest, isIndex, parseManifest } from "../oci/manifest";
import { flavourOf, gzipLayerTypeFor, IMAGE_MANIFEST_TYPES } from "../oci/media-types";
import { RegistryClient } from "../oci/registry";
import { type ImageSource, LayoutSource, RegistrySource } from "../oci/source";
import type { Descriptor, ImageConfig, RawManifest } from "../oci/types";
import { applyPush, describePlan } from "./apply";
import type { BaseImage, BuildImageInputs } from "./inputs";
import { type BlobToPush, findReusableLayer, type PreviousImage, planPush } from "./plan";
import type { BuildImageResult } from "./report";
import type { PushTarget } from "./target";

export interface OciBuilderDeps {
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Docker Hub's registry API lives on another host than its image names. */
function registryAddress(host: string): string {
  return host === "docker.io" ? "registry-1.docker.io" : host;
}

/** The base image's source: the target's own client when on the same registry (same login). */
export function openBaseSource(
  base: BaseImage,
  target: PushTarget,
  fetchImpl?: typeof fetch,
): ImageSource {
  if (base.kind === "layout") return new LayoutSource(base.path);
  if (base.registry === target.host) return new RegistrySource(target.client, base.repository);
  const client = new RegistryClient({
    registry: registryAddress(base.registry),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  return new RegistrySource(client, base.repository);
}

/** The images already under the tags we push to (and the previous tag): candidates for reuse. */
async function readPreviousImages(
  target: PushTarget,
  tags: string[],
): Promise<Map<string, PreviousImage>> {
  const found = await Promise.all(
    tags.map(async (tag): Promise<PreviousImage | undefined> => {
      const raw = await target.client.getManifest(target.repository, tag);
      if (!raw) return undefined;
      const manifest = parseManifest(raw);
      if (isIndex(manifest) || !IMAGE_MANIFEST_TYPES.includes(raw.mediaType)) {
        return { tag, digest: raw.digest, diffIds: [], layers: [] };
      }
      const config = JSON.parse(
        (await target.client.getBlob(target.repository, manifest.config.digest)).toString("utf8"),
      ) as ImageConfig;
      return {
        tag,
        digest: raw.digest,
        diffIds: config.rootfs?.diff_ids ?? [],
        layers: manifest.layers,
      };
    }),
  );
  return new Map(found.filter((image) => image !== undefined).map((image) => [image.tag, image]));
}

/**
 * Members of a previous layer (same repository) whose uncompressed slices the new layer also has:
 * copied instead of compressed again. Only fetched when some bytes can be saved.
 */
async function reusableMembers(
  target: PushTarget,
  previous: PreviousImage[],
  layerTar: LayerTar,
  logger: Logger,
): Promise<Map<string, Buffer> | undefined> {
  const ours = sliceHashes(layerTar.tar);
  let best:
    | { layer: Descriptor; saved: number; members: ReturnType<typeof parseMembers> }
    | undefined;
  for (const image of previous) {
    const layer = image.layers.at(-1);
    const members = parseMembers(layer?.annotations?.[MEMBERS_ANNOTATION]);
    if (!layer || !members) continue;
    const saved = members
      .filter((member) => ours.has(member.sliceHash))
      .reduce((sum, member) => sum + member.size, 0);
    if (saved > 0 && saved > (best?.saved ?? 0)) best = { layer, saved, members };
  }
  if (!best?.members) return undefined;
  try {
    const blob = await target.client.getBlob(target.repository, best.layer.digest);
    logger.debug(`copying up to ${best.saved} compressed bytes from ${best.layer.digest}`);
    return membersOf(blob, best.members);
  } catch (error) {
    // Only a shortcut: without it the layer is compressed in full, to the same bytes.
    logger.debug(
      `cannot read the previous layer ${best.layer.digest}: ${(error as Error).message}`,
    );
    return undefined;
  }
}

function labelsFor(
  inputs: BuildImageInputs,
  base: ResolvedBase,
  created: string,
): Record<string, string> {
  const labels: Record<string, string> = { [OciLabel.created]: created };
  if (inputs["source-url"]) labels[OciLabel.source] = inputs["source-url"];
  if (inputs.revision) labels[OciLabel.revision] = inputs.revision;
  // Docker schema 2 manifests have no annotations: keep the base's identity in the labels.
  if (flavourOf(base.mediaType) === "docker") {
    labels[OciLabel.baseName] = base.name;
    labels[OciLabel.baseDigest] = base.digest;
  }
  return { ...labels, ...inputs.labels };
}

/**
 * Builder "oci": the base image pinned by digest, plus one reproducible layer made of a folder,
 * pushed through the registry API. No Docker engine, and nothing is sent that the registry has.
 */
export async function buildWithOci(
  inputs: BuildImageInputs,
  target: PushTarget,
  deps: OciBuilderDeps,
): Promise<BuildImageResult> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  const baseImage = inputs["base-image"];
  if (!baseImage) throw new Error("builder oci needs a base image (checked by the inputs)");

  const source = openBaseSource(baseImage, target, deps.fetch);
  const [base, layerTar, previous] = await Promise.all([
    resolveBase(source, baseImage.reference, inputs.platform),
    collectFolder(inputs.context, inputs.destination).then((entries) =>
      buildLayerTar(entries, inputs["source-date-epoch"]),
    ),
    readPreviousImages(target, [
      ...new Set([...inputs.tags, ...(inputs["previous-tag"] ? [inputs["previous-tag"]] : [])]),
    ]),
  ]);
  logger.info(`base ${base.name} pinned at ${base.digest}`);
  logger.info(
    `layer ${layerTar.diffId} (${layerTar.entries} entries, ${layerTar.tar.length} bytes uncompressed)`,
  );

  const diffIds = [...base.config.rootfs.diff_ids, layerTar.diffId];
  const reusable = findReusableLayer([...previous.values()], diffIds);
  const presentBefore = reusable
    ? await target.client.headBlob(target.repository, reusable.layer.digest)
    : undefined;
  let compressed: LayerBlob | undefined;
  let layer: Descriptor;
  if (reusable && presentBefore !== undefined) {
    layer = reusable.layer;
    logger.info(
      `layer unchanged since tag ${reusable.tag}: reusing ${layer.digest}, nothing to compress`,
    );
  } else {
    const copyable = await reusableMembers(target, [...previous.values()], layerTar, logger);
    compressed = await compressLayer(
      layerTar,
      gzipLayerTypeFor(flavourOf(base.mediaType)),
      copyable,
    );
    layer = {
      mediaType: compressed.mediaType,
      digest: compressed.digest,
      size: compressed.size,
      ...(compressed.annotations ? { annotations: compressed.annotations } : {}),
    };
    logger.info(
      `layer compressed to ${compressed.size} bytes (${compressed.totalMembers - compressed.reusedMembers} of ${compressed.totalMembers} gzip members compressed, the rest copied from the previous layer)`,
    );
  }

  const created = epochToRfc3339(inputs["source-date-epoch"]);
  const config = updateConfig(base.config, {
    diffId: layerTar.diffId,
    created,
    // Never the local path of the folder: the digest must not depend on where the checkout is.
    createdBy: `shipline build-image: one layer at ${inputs.destination}`,
    ...(inputs.entrypoint ? { entrypoint: inputs.entrypoint } : {}),
    ...(inputs.cmd ? { cmd: inputs.cmd } : {}),
    env: inputs.env,
    ...(inputs.workdir ? { workdir: inputs.workdir } : {}),
    ...(inputs.user ? { user: inputs.user } : {}),
    exposedPorts: inputs.ports,
    labels: labelsFor(inputs, base, created),
  });
  const configBlob = describeJson(config);
  const configDescriptor: Descriptor = {
    mediaType: base.manifest.config.mediaType,
    digest: configBlob.digest,
    size: configBlob.size,
  };
  const manifest: RawManifest = buildManifest({
    mediaType: base.mediaType,
    config: configDescriptor,
    layers: [...base.manifest.layers, layer],
    annotations: { [OciLabel.baseName]: base.name, [OciLabel.baseDigest]: base.digest },
  });

  const sameRegistry = source.registry?.host === target.host;
  const siblings = [
    ...(sameRegistry && source.registry && source.registry.repository !== target.repository
      ? [source.registry.repository]
      : []),
    ...inputs["mount-from"].filter((repository) => repository !== target.repository),
  ];
  const blobs: BlobToPush[] = [
    ...base.manifest.layers.map((descriptor) => ({
      role: "base layer" as const,
      descriptor,
      mountFrom: siblings,
    })),
    { role: "layer", descriptor: layer, mountFrom: inputs["mount-from"] },
    { role: "config", descriptor: configDescriptor, mountFrom: [] },
  ];
  const heads = await Promise.all(
    blobs.map(async (blob) =>
      blob.descriptor.digest === reusable?.layer.digest && presentBefore !== undefined
        ? blob.descriptor.digest
        : (await target.client.headBlob(target.repository, blob.descriptor.digest)) !== undefined
          ? blob.descriptor.digest
          : undefined,
    ),
  );
  const plan = planPush({
    repository: target.repository,
    blobs,
    present: new Set(heads.filter((digest) => digest !== undefined)),
    manifestDigest: manifest.digest,
    tags: inputs.tags.map((tag) => ({
      tag,
      ...(previous.get(tag) ? { current: previous.get(tag)?.digest } : {}),
    })),
    immutable: target.immutable,
  });

  const readBlob = async (blob: { role: string; descriptor: Descriptor }): Promise<Buffer> => {
    if (blob.role === "config") return configBlob.bytes;
    if (blob.role === "layer")
      return (compressed ?? (await compressLayer(layerTar, layer.mediaType))).blob;
    return source.getBlob(blob.descriptor.digest);
  };
  const outcome = inputs["dry-run"]
    ? describePlan(plan)
    : await applyPush(plan, manifest, target, readBlob, logger);

  return {
    builder: "oci",
    image: `${target.host}/${target.repository}@${manifest.digest}`,
    digest: manifest.digest,
    host: target.host,
    repository: target.repository,
    tags: outcome.tags,
    blobs: outcome.blobs,
    base: { name: base.name, digest: base.digest },
    layer: {
      diffId: layerTar.diffId,
      digest: layer.digest,
      ...(reusable && presentBefore !== undefined ? { reusedFrom: reusable.tag } : {}),
      ...(compressed
        ? { membersCopied: compressed.reusedMembers, members: compressed.totalMembers }
        : {}),
    },
    dryRun: inputs["dry-run"],
    durationMs: now() - started,
  };
}
