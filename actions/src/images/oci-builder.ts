import type { Logger } from "../lib/logger";
import { type ResolvedBase, resolveBase } from "../oci/base";
import { describeJson, epochToRfc3339, OciLabel, updateConfig } from "../oci/config";
import { MEMBERS_ANNOTATION, parseMembers } from "../oci/gzip-members";
import { compressLayer } from "../oci/layer";
import { buildManifest } from "../oci/manifest";
import { flavourOf, gzipLayerTypeFor } from "../oci/media-types";
import { RegistryClient } from "../oci/registry";
import { type ImageSource, LayoutSource, RegistrySource } from "../oci/source";
import type { Descriptor, RawManifest } from "../oci/types";
import { applyPush, describePlan } from "./apply";
import { Downloads, prepareLayers, startLayerTars } from "./image-layers";
import type { BaseImage, BuildImageInputs } from "./inputs";
import { type BlobToPush, planPush } from "./plan";
import { readPreviousImages } from "./previous-images";
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
  mask?: (secret: string) => void,
): ImageSource {
  if (base.kind === "layout") return new LayoutSource(base.path);
  if (base.registry === target.host) return new RegistrySource(target.client, base.repository);
  const client = new RegistryClient({
    registry: registryAddress(base.registry),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    // Anonymous pulls still get bearer tokens; they are masked like any other.
    ...(mask ? { mask } : {}),
  });
  return new RegistrySource(client, base.repository);
}

/** The history line of each appended layer; never the local path of the folder. */
function layerHistory(inputs: BuildImageInputs, index: number): string {
  // One layer keeps the line it always had: the same sources keep giving the same digest.
  if (inputs.layers.length === 0) return `shipline build-image: one layer at ${inputs.destination}`;
  const patterns = inputs.layers[index]?.join(" ") ?? "the rest";
  return `shipline build-image: layer ${index + 1} of ${inputs.layers.length + 1} at ${inputs.destination} (${patterns})`;
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
 * or several when `layers` splits it), pushed through the registry API. No Docker engine, and
 * nothing is sent that the registry has.
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

  const source = openBaseSource(baseImage, target, deps.fetch, (secret) =>
    deps.logger.secret(secret),
  );
  const head = async (digest: string) =>
    (await target.client.headBlob(target.repository, digest)) !== undefined;
  const resolving = resolveBase(source, baseImage.reference, inputs.platform);
  // The base layers are HEADed as soon as the base is known, while the folder is still read.
  const baseHeads = resolving.then((resolved) =>
    Promise.all(resolved.manifest.layers.map((layer) => head(layer.digest))),
  );
  baseHeads.catch(() => undefined);
  const downloads = new Downloads(target);
  const [base, building, previous] = await Promise.all([
    resolving,
    startLayerTars(inputs),
    readPreviousImages(target, [
      ...new Set([...inputs.tags, ...(inputs["previous-tag"] ? [inputs["previous-tag"]] : [])]),
    ]).then((images) => {
      // The previous top layer (the code, in a split) is what a change usually touches: fetch
      // it while the folder is read, so its unchanged gzip members are at hand.
      const top = [...images.values()][0]?.layers.at(-1);
      if (top && parseMembers(top.annotations?.[MEMBERS_ANNOTATION])) downloads.get(top.digest);
      return images;
    }),
  ]);
  logger.info(`base ${base.name} pinned at ${base.digest}`);
  // Uploads are opened while layers compress (a POST off the critical path); never in a dry run,
  // nor when an immutable tag already exists: that push either sends nothing or is refused
  // before anything is sent.
  const tagTaken = target.immutable && inputs.tags.some((tag) => previous.has(tag));
  const openUpload =
    inputs["dry-run"] || tagTaken ? undefined : () => target.client.startUpload(target.repository);
  // Each layer is reused or compressed as soon as its own tar is hashed.
  const preparing = prepareLayers(building, {
    target,
    previous: [...previous.values()],
    mediaType: gzipLayerTypeFor(flavourOf(base.mediaType)),
    logger,
    downloads,
    ...(openUpload ? { openUpload } : {}),
  });
  preparing.catch(() => undefined);
  const layerTars = await Promise.all(building);
  for (const layerTar of layerTars) {
    logger.info(
      `layer ${layerTar.diffId} (${layerTar.entries} entries, ${layerTar.size} bytes uncompressed)`,
    );
  }

  // The config depends on the diff_ids only: it is known (and HEADed) before any compression.
  const created = epochToRfc3339(inputs["source-date-epoch"]);
  const config = updateConfig(base.config, {
    layers: layerTars.map((layerTar, index) => ({
      diffId: layerTar.diffId,
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
  const configHead = head(configDescriptor.digest);
  configHead.catch(() => undefined);
  const configUpload = configHead.then((here) => (here ? undefined : openUpload?.()));
  configUpload.catch(() => undefined);

  const layers = await preparing;
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
  // Every blob was HEADed: the base layers and the config early, each new layer once built.
  const [baseHere, configHere] = await Promise.all([baseHeads, configHead]);
  const present = new Set<string>([
    ...base.manifest.layers.filter((_, i) => baseHere[i]).map((layer) => layer.digest),
    ...layers.filter((layer) => layer.present).map((layer) => layer.descriptor.digest),
    ...(configHere ? [configDescriptor.digest] : []),
  ]);
  const plan = planPush({
    repository: target.repository,
    blobs,
    present,
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
    : await applyPush(plan, manifest, target, readBlob, logger, (digest) => {
        if (digest === configDescriptor.digest) return configUpload;
        return layers.find((layer) => layer.descriptor.digest === digest)?.upload;
      });

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
