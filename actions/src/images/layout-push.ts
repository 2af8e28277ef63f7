import type { Logger } from "../lib/logger";
import { OciLabel } from "../oci/config";
import { compressLayer } from "../oci/layer";
import { buildManifest, isIndex, parseManifest } from "../oci/manifest";
import { flavourOf, gzipLayerTypeFor, MediaType } from "../oci/media-types";
import { parseImageReference } from "../oci/reference";
import type { ImageSource } from "../oci/source";
import type { Descriptor, ImageConfig, ImageManifest, RawManifest } from "../oci/types";
import { applyPush, describePlan } from "./apply";
import { type BlobToPush, findReusableLayers, planPush } from "./plan";
import { readImage, readPreviousImages, type StoredImage } from "./previous-images";
import type { BlobOutcome, LayerOutcome, TagOutcome } from "./report";
import type { PushTarget } from "./target";

export interface LayoutPushOptions {
  /** Where the built image is (an OCI layout, a `dir:` folder), and its name there. */
  source: ImageSource;
  reference: string;
  tags: string[];
  previousTag?: string;
  mountFrom: string[];
  dryRun: boolean;
}

/** Layer media types that are not compressed: shipline gzips them itself (reproducibly). */
const UNCOMPRESSED: readonly string[] = [MediaType.ociLayerTar];
const GZIP: readonly string[] = [MediaType.ociLayerGzip, MediaType.dockerLayerGzip];

interface PushedLayer {
  diffId: string;
  descriptor: Descriptor;
  /** The image whose blob with the same diff_id is reused as is. */
  reusedFrom?: string;
  /** Not the builder's own descriptor: the manifest is written anew. */
  swapped: boolean;
}

export interface LayoutPushResult {
  digest: string;
  blobs: BlobOutcome[];
  tags: TagOutcome[];
  layers: LayerOutcome[];
  base?: { name: string; digest: string };
}

/** The base image a builder recorded in the manifest, when it lives in the target's registry. */
async function readBase(
  manifest: ImageManifest,
  target: PushTarget,
  logger: Logger,
): Promise<{ repository: string; image: StoredImage } | undefined> {
  const name = manifest.annotations?.[OciLabel.baseName];
  const digest = manifest.annotations?.[OciLabel.baseDigest];
  if (!name || !digest) return undefined;
  try {
    const reference = parseImageReference(name);
    if (reference.registry !== target.host) return undefined;
    // The builder may record the digest of its own copy of the manifest, which the registry does
    // not know; the tag then finds the base. Layers are matched by diff_id (their content), so a
    // tag that has moved since can only miss, never give a wrong layer.
    const image =
      (await readImage(target, reference.repository, digest, name)) ??
      (reference.tag
        ? await readImage(target, reference.repository, reference.tag, name)
        : undefined);
    return image ? { repository: reference.repository, image } : undefined;
  } catch (error) {
    // Only a missed shortcut: the layers are then pushed as the builder wrote them.
    logger.debug(`base ${name}@${digest} not read: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Pushes an image a builder such as buildah wrote (an OCI layout, a `dir:` folder) through the same
 * plan as the oci builder: a layer whose diff_id an image under the pushed tags, the previous tag
 * or the base (on the same registry) already has is pointed at that blob, so it is neither
 * compressed nor sent; other uncompressed layers are gzipped by shipline (the same bytes give the
 * same blob on any machine); every blob is HEADed and only missing ones are mounted or uploaded,
 * and an immutable tag that points at another digest stops the push before anything is sent.
 */
export async function pushLayoutImage(
  options: LayoutPushOptions,
  target: PushTarget,
  logger: Logger,
): Promise<LayoutPushResult> {
  const { source } = options;
  const raw = await source.getManifest(options.reference);
  if (!raw) throw new Error(`the built image ${options.reference} is not in ${source.name}`);
  const manifest = parseManifest(raw);
  if (isIndex(manifest)) throw new Error("the builder wrote an image index, not one image");
  const config = JSON.parse(
    (await source.getBlob(manifest.config.digest)).toString("utf8"),
  ) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new Error(
      `the built image has ${manifest.layers.length} layers but ${diffIds.length} diff_ids`,
    );
  }

  const [previous, base] = await Promise.all([
    readPreviousImages(target, [
      ...new Set([...options.tags, ...(options.previousTag ? [options.previousTag] : [])]),
    ]),
    readBase(manifest, target, logger),
  ]);
  const candidates = [...previous.values(), ...(base ? [base.image] : [])];
  // The image takes the base's flavour: a Docker schema 2 base (as `docker push` leaves in ECR)
  // keeps its blobs, which OCI layer media types could not point at.
  const flavour = base ? flavourOf(base.image.mediaType) : flavourOf(raw.mediaType);
  const gzipType = gzipLayerTypeFor(flavour);
  const compressed = new Map<string, Buffer>();
  // One layer at a time: an uncompressed base layer can be large.
  const layers: PushedLayer[] = [];
  for (const [index, own] of manifest.layers.entries()) {
    const diffId = diffIds[index] ?? "";
    const reused = findReusableLayers(candidates, [diffId], gzipType)[0];
    if (reused) {
      const swapped = reused.layer.digest !== own.digest;
      layers.push({ diffId, descriptor: reused.layer, reusedFrom: reused.tag, swapped });
    } else if (UNCOMPRESSED.includes(own.mediaType) || own.digest === diffId) {
      // A blob whose digest is its diff_id is the uncompressed tar, whatever its media type
      // says: buildah 1.28 labels the layers it pulled (from a cache) "+gzip" in a `dir:` export.
      const tar = await source.getBlob(own.digest);
      const blob = await compressLayer({ tar, diffId, size: tar.length, entries: 0 }, gzipType);
      compressed.set(blob.digest, blob.blob);
      const descriptor: Descriptor = {
        mediaType: blob.mediaType,
        digest: blob.digest,
        size: blob.size,
        ...(blob.annotations ? { annotations: blob.annotations } : {}),
      };
      layers.push({ diffId, descriptor, swapped: true });
    } else if (GZIP.includes(own.mediaType) && own.mediaType !== gzipType) {
      // Same bytes in the other flavour: only the media type changes.
      layers.push({ diffId, descriptor: { ...own, mediaType: gzipType }, swapped: true });
    } else {
      layers.push({ diffId, descriptor: own, swapped: false });
    }
  }
  const converted = flavour !== flavourOf(raw.mediaType);
  // The config's JSON is the same in both flavours: only the media types differ.
  const configDescriptor: Descriptor = converted
    ? {
        ...manifest.config,
        mediaType: flavour === "docker" ? MediaType.dockerConfig : MediaType.ociConfig,
      }
    : manifest.config;
  const finalManifest: RawManifest =
    converted || layers.some((layer) => layer.swapped)
      ? buildManifest({
          mediaType: flavour === "docker" ? MediaType.dockerManifest : MediaType.ociManifest,
          config: configDescriptor,
          layers: layers.map((layer) => layer.descriptor),
          ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
        })
      : raw;
  const fromBase = (layer: PushedLayer) =>
    base !== undefined && layer.reusedFrom === base.image.tag;
  const baseMount = base && base.repository !== target.repository ? [base.repository] : [];
  const blobs: BlobToPush[] = [
    ...layers.map((layer) => ({
      role: fromBase(layer) ? ("base layer" as const) : ("layer" as const),
      descriptor: layer.descriptor,
      mountFrom: [
        ...(fromBase(layer) ? baseMount : []),
        ...options.mountFrom.filter((repository) => repository !== target.repository),
      ],
    })),
    { role: "config", descriptor: configDescriptor, mountFrom: [] },
  ];
  const here = await Promise.all(
    blobs.map(
      async (blob) =>
        (await target.client.headBlob(target.repository, blob.descriptor.digest)) !== undefined,
    ),
  );
  const plan = planPush({
    repository: target.repository,
    blobs,
    present: new Set(blobs.filter((_, i) => here[i]).map((blob) => blob.descriptor.digest)),
    manifestDigest: finalManifest.digest,
    tags: options.tags.map((tag) => {
      const current = previous.get(tag)?.digest;
      return { tag, ...(current ? { current } : {}) };
    }),
    immutable: target.immutable,
  });

  const readBlob = async (blob: { descriptor: Descriptor }): Promise<Buffer> => {
    const { digest } = blob.descriptor;
    const bytes = compressed.get(digest);
    if (bytes) return bytes;
    const layer = layers.find((each) => each.descriptor.digest === digest);
    // A layer pointed at a blob the registry holds (whose mount was refused): read it there.
    if (layer?.reusedFrom) {
      const from = base && fromBase(layer) ? base.repository : target.repository;
      return target.client.getBlob(from, digest);
    }
    return source.getBlob(digest);
  };
  const outcome = options.dryRun
    ? describePlan(plan)
    : await applyPush(plan, finalManifest, target, readBlob, logger);
  const baseName = manifest.annotations?.[OciLabel.baseName];
  const baseDigest = manifest.annotations?.[OciLabel.baseDigest];
  return {
    digest: finalManifest.digest,
    blobs: outcome.blobs,
    tags: outcome.tags,
    layers: layers.map((layer) => ({
      diffId: layer.diffId,
      digest: layer.descriptor.digest,
      ...(layer.reusedFrom ? { reusedFrom: layer.reusedFrom } : {}),
    })),
    ...(baseName && baseDigest ? { base: { name: baseName, digest: baseDigest } } : {}),
  };
}
