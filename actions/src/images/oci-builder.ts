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
  normaliseDestination,
} from "../oci/layer";
import { splitLayerEntries } from "../oci/layer-split";
import { buildManifest, isIndex, parseManifest } from "../oci/manifest";
import { flavourOf, gzipLayerTypeFor, IMAGE_MANIFEST_TYPES } from "../oci/media-types";
import { RegistryClient } from "../oci/registry";
import { type ImageSource, LayoutSource, RegistrySource } from "../oci/source";
import type { Descriptor, ImageConfig, RawManifest } from "../oci/types";
import { applyPush, describePlan } from "./apply";
import type { BaseImage, BuildImageInputs } from "./inputs";
import { type BlobToPush, findReusableLayers, type PreviousImage, planPush } from "./plan";
import type { BuildImageResult, LayerOutcome } from "./report";
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
 * copied instead of compressed again. Only fetched when some bytes can be saved; `downloads`
 * shares one fetch of a blob between the layers built together.
 */
async function reusableMembers(
  target: PushTarget,
  previous: PreviousImage[],
  layerTar: LayerTar,
  logger: Logger,
  downloads: Map<string, Promise<Buffer>>,
): Promise<Map<string, Buffer> | undefined> {
  const ours = sliceHashes(layerTar.tar);
  let best:
    | { layer: Descriptor; saved: number; members: ReturnType<typeof parseMembers> }
    | undefined;
  for (const layer of previous.flatMap((image) => image.layers)) {
    const members = parseMembers(layer.annotations?.[MEMBERS_ANNOTATION]);
    if (!members) continue;
    const saved = members
      .filter((member) => ours.has(member.sliceHash))
      .reduce((sum, member) => sum + member.size, 0);
    if (saved > 0 && saved > (best?.saved ?? 0)) best = { layer, saved, members };
  }
  if (!best?.members) return undefined;
  const { digest } = best.layer;
  try {
    let download = downloads.get(digest);
    if (!download) {
      download = target.client.getBlob(target.repository, digest);
      downloads.set(digest, download);
    }
    const blob = await download;
    logger.debug(`copying up to ${best.saved} compressed bytes from ${digest}`);
    return membersOf(blob, best.members);
  } catch (error) {
    // Only a shortcut: without it the layer is compressed in full, to the same bytes.
    logger.debug(`cannot read the previous layer ${digest}: ${(error as Error).message}`);
    return undefined;
  }
}

/** The folder as its layers' tars, bottom first: one, or one per `layers` group plus the rest. */
async function buildLayerTars(inputs: BuildImageInputs): Promise<LayerTar[]> {
  const entries = await collectFolder(inputs.context, inputs.destination);
  const split =
    inputs.layers.length === 0
      ? [entries]
      : splitLayerEntries(entries, normaliseDestination(inputs.destination), inputs.layers);
  return Promise.all(split.map((part) => buildLayerTar(part, inputs["source-date-epoch"])));
}

/** The history line of each appended layer; never the local path of the folder. */
function layerHistory(inputs: BuildImageInputs, index: number): string {
  // One layer keeps the line it always had: the same sources keep giving the same digest.
  if (inputs.layers.length === 0) return `shipline build-image: one layer at ${inputs.destination}`;
  const patterns = inputs.layers[index]?.join(" ") ?? "the rest";
  return `shipline build-image: layer ${index + 1} of ${inputs.layers.length + 1} at ${inputs.destination} (${patterns})`;
}

/** One appended layer: its tar, what is pushed, and how it was obtained. */
interface BuiltLayer {
  tar: LayerTar;
  descriptor: Descriptor;
  /** Set when compressed now; undefined when an identical pushed layer was reused. */
  compressed?: LayerBlob;
  reusedFrom?: string;
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
 * Builder "oci": the base image pinned by digest, plus reproducible layers made of a folder (one,
 * or several when `layers` splits it), pushed through the registry API. No Docker engine, and nothing is sent that the registry has.
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
  const [base, layerTars, previous] = await Promise.all([
    resolveBase(source, baseImage.reference, inputs.platform),
    buildLayerTars(inputs),
    readPreviousImages(target, [
      ...new Set([...inputs.tags, ...(inputs["previous-tag"] ? [inputs["previous-tag"]] : [])]),
    ]),
  ]);
  logger.info(`base ${base.name} pinned at ${base.digest}`);
  for (const layerTar of layerTars) {
    logger.info(
      `layer ${layerTar.diffId} (${layerTar.entries} entries, ${layerTar.tar.length} bytes uncompressed)`,
    );
  }

  const mediaType = gzipLayerTypeFor(flavourOf(base.mediaType));
  const previousImages = [...previous.values()];
  const reusable = findReusableLayers(
    previousImages,
    layerTars.map((layerTar) => layerTar.diffId),
    mediaType,
  );
  // Reuse a pushed layer only if the repository still has its blob.
  const presentBefore = await Promise.all(
    reusable.map(async (found) =>
      found ? await target.client.headBlob(target.repository, found.layer.digest) : undefined,
    ),
  );
  const downloads = new Map<string, Promise<Buffer>>();
  const layers: BuiltLayer[] = await Promise.all(
    layerTars.map(async (layerTar, index): Promise<BuiltLayer> => {
      const found = reusable[index];
      if (found && presentBefore[index] !== undefined) {
        logger.info(
          `layer ${index + 1} unchanged since tag ${found.tag}: reusing ${found.layer.digest}, nothing to compress`,
        );
        return { tar: layerTar, descriptor: found.layer, reusedFrom: found.tag };
      }
      const copyable = await reusableMembers(target, previousImages, layerTar, logger, downloads);
      const compressed = await compressLayer(layerTar, mediaType, copyable);
      logger.info(
        `layer ${index + 1} compressed to ${compressed.size} bytes (${compressed.totalMembers - compressed.reusedMembers} of ${compressed.totalMembers} gzip members compressed, the rest copied from the previous layer)`,
      );
      return {
        tar: layerTar,
        compressed,
        descriptor: {
          mediaType: compressed.mediaType,
          digest: compressed.digest,
          size: compressed.size,
          ...(compressed.annotations ? { annotations: compressed.annotations } : {}),
        },
      };
    }),
  );

  const created = epochToRfc3339(inputs["source-date-epoch"]);
  const config = updateConfig(base.config, {
    layers: layers.map((layer, index) => ({
      diffId: layer.tar.diffId,
      // Never the local path of the folder: the digest must not depend on where the checkout is.
      createdBy: layerHistory(inputs, index),
    })),
    created,
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
    layers: [...base.manifest.layers, ...layers.map((layer) => layer.descriptor)],
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
    ...layers.map((layer) => ({
      role: "layer" as const,
      descriptor: layer.descriptor,
      mountFrom: inputs["mount-from"],
    })),
    { role: "config", descriptor: configDescriptor, mountFrom: [] },
  ];
  const knownPresent = new Set(
    layers.filter((layer) => layer.reusedFrom).map((layer) => layer.descriptor.digest),
  );
  const heads = await Promise.all(
    blobs.map(async (blob) =>
      knownPresent.has(blob.descriptor.digest) ||
      (await target.client.headBlob(target.repository, blob.descriptor.digest)) !== undefined
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
    const layer = layers.find((built) => built.descriptor.digest === blob.descriptor.digest);
    if (blob.role === "layer" && layer)
      return (layer.compressed ?? (await compressLayer(layer.tar, layer.descriptor.mediaType)))
        .blob;
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
    layers: layers.map(
      (layer): LayerOutcome => ({
        diffId: layer.tar.diffId,
        digest: layer.descriptor.digest,
        ...(layer.reusedFrom ? { reusedFrom: layer.reusedFrom } : {}),
        ...(layer.compressed
          ? {
              membersCopied: layer.compressed.reusedMembers,
              members: layer.compressed.totalMembers,
            }
          : {}),
      }),
    ),
    dryRun: inputs["dry-run"],
    durationMs: now() - started,
  };
}
