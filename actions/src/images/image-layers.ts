import type { Logger } from "../lib/logger";
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
import type { Descriptor } from "../oci/types";
import type { BuildImageInputs } from "./inputs";
import { findReusableLayers, type PreviousImage } from "./plan";
import type { PushTarget } from "./target";

/**
 * Reads the folder and starts each layer's tar, bottom first: one, or one per `layers` group plus
 * the rest. Each layer's promise settles on its own, so a small layer goes on while a big one is
 * still being hashed.
 */
export async function startLayerTars(inputs: BuildImageInputs): Promise<Promise<LayerTar>[]> {
  const entries = await collectFolder(inputs.context, inputs.destination);
  const split =
    inputs.layers.length === 0
      ? [entries]
      : splitLayerEntries(entries, normaliseDestination(inputs.destination), inputs.layers);
  return split.map((part) => {
    const tar = buildLayerTar(part, inputs["source-date-epoch"]);
    tar.catch(() => undefined);
    return tar;
  });
}

/** One appended layer: its tar, what is pushed, and how it was obtained. */
export interface BuiltLayer {
  tar: LayerTar;
  descriptor: Descriptor;
  /** Set when compressed now; undefined when an identical pushed layer was reused. */
  compressed?: LayerBlob;
  reusedFrom?: string;
  /** The target repository has the blob (HEAD answered). */
  present: boolean;
  /** An upload opened while the layer was compressed (its Location). */
  upload?: Promise<string>;
}

/**
 * Blob downloads shared between the layers built together, so one may start early (prefetch);
 * a fetch nobody awaits never fails loudly.
 */
export class Downloads {
  private readonly started = new Map<string, Promise<Buffer>>();
  constructor(private readonly target: PushTarget) {}
  get(digest: string): Promise<Buffer> {
    let download = this.started.get(digest);
    if (!download) {
      download = this.target.client.getBlob(this.target.repository, digest);
      download.catch(() => undefined);
      this.started.set(digest, download);
    }
    return download;
  }
}

/**
 * Members of a previous layer (same repository) whose uncompressed slices the new layer also has:
 * copied instead of compressed again. The likely source, the previous image's layer at the same
 * place, is fetched while the slices are hashed; another is fetched only when it saves more.
 */
async function reusableMembers(
  layerTar: LayerTar,
  previous: PreviousImage[],
  likely: Descriptor | undefined,
  downloads: Downloads,
  logger: Logger,
): Promise<Map<string, Buffer> | undefined> {
  if (likely && parseMembers(likely.annotations?.[MEMBERS_ANNOTATION]))
    downloads.get(likely.digest);
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
    const blob = await downloads.get(digest);
    logger.debug(`copying up to ${best.saved} compressed bytes from ${digest}`);
    return membersOf(blob, best.members);
  } catch (error) {
    // Only a shortcut: without it the layer is compressed in full, to the same bytes.
    logger.debug(`cannot read the previous layer ${digest}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Turns each layer's tar into what is pushed, each layer on its own and all at once: a layer whose
 * diff_id was pushed before (and whose blob the repository still has) is reused as is; any other
 * is compressed (copying the gzip members that did not change) and HEADed.
 */
export async function prepareLayers(
  layerTars: Promise<LayerTar>[],
  context: {
    target: PushTarget;
    previous: PreviousImage[];
    mediaType: string;
    logger: Logger;
    downloads: Downloads;
    /** Opens an upload for a layer that has to be compressed; absent in a dry run. */
    openUpload?: () => Promise<string>;
  },
): Promise<BuiltLayer[]> {
  const { target, previous, mediaType, logger, downloads, openUpload } = context;
  const head = async (digest: string) =>
    (await target.client.headBlob(target.repository, digest)) !== undefined;
  // The layer at the same place, counted from the top, in the first previous image.
  const likelyPrevious = (index: number): Descriptor | undefined => {
    const layers = previous[0]?.layers ?? [];
    return layers[layers.length - layerTars.length + index];
  };
  return Promise.all(
    layerTars.map(async (building, index): Promise<BuiltLayer> => {
      const layerTar = await building;
      const [found] = findReusableLayers(previous, [layerTar.diffId], mediaType);
      if (found && (await head(found.layer.digest))) {
        logger.info(
          `layer ${index + 1} unchanged since tag ${found.tag}: reusing ${found.layer.digest}, nothing to compress`,
        );
        return { tar: layerTar, descriptor: found.layer, reusedFrom: found.tag, present: true };
      }
      // A compressed layer is new to the repository unless another image has the same bytes.
      const upload = openUpload?.();
      upload?.catch(() => undefined);
      const copyable = await reusableMembers(
        layerTar,
        previous,
        likelyPrevious(index),
        downloads,
        logger,
      );
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
        present: await head(compressed.digest),
        ...(upload ? { upload } : {}),
      };
    }),
  );
}
