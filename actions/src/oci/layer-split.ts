import picomatch from "picomatch";
import type { LayerEntry } from "./layer";
import { type LayerPatterns, parseLayerPatterns } from "./layer-patterns";

/**
 * Splitting a folder into several layers, so that what rarely changes (runtime assets) sits in a
 * layer of its own that the next build reuses as is, while a code change rebuilds and uploads
 * only the small layer that holds the code.
 *
 * A split is a list of pattern groups (LayerPatterns), bottom layer first; each file goes into
 * the first group one of whose patterns matches its path in the folder, and every file no group
 * matches goes into one last layer. Patterns are globs; one without a slash matches a file name
 * at any depth.
 */
export { type LayerPatterns, parseLayerPatterns };

/** One group's test of a path in the folder. */
function groupMatcher(patterns: string[]): (path: string) => boolean {
  // picomatch's `basename` applies to every pattern of a list: only slash-free ones may have it.
  const tests = patterns.map((pattern) =>
    picomatch(pattern, { dot: true, basename: !pattern.includes("/") }),
  );
  return (path) => tests.some((test) => test(path));
}

/**
 * Places a folder's entries (as collectFolder returns them, under `root` in the image) into
 * `groups.length + 1` layers. Each layer lists the parent folders of what it holds, so it is
 * complete on its own; folders with nothing in them go into the last layer. The order inside a
 * layer does not matter: buildLayerTar sorts.
 */
export function splitLayerEntries(
  entries: LayerEntry[],
  root: string,
  groups: LayerPatterns,
): LayerEntry[][] {
  const matchers = groups.map(groupMatcher);
  const prefix = root ? `${root}/` : "";
  const lastIndex = groups.length;
  const directories = new Map<string, LayerEntry>();
  for (const entry of entries) if (entry.type === "directory") directories.set(entry.path, entry);
  /** Folder paths placed in each layer. */
  const placed = Array.from({ length: lastIndex + 1 }, () => new Set<string>());
  const layers: LayerEntry[][] = placed.map(() => []);
  const placeFolder = (layer: number, path: string) => {
    const directory = directories.get(path);
    if (!directory || placed[layer]?.has(path)) return;
    placed[layer]?.add(path);
    layers[layer]?.push(directory);
  };
  const placeParents = (layer: number, path: string) => {
    for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
      placeFolder(layer, path.slice(0, slash));
    }
  };
  for (const entry of entries) {
    if (entry.type === "directory") continue;
    const inFolder = entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path;
    const index = matchers.findIndex((matches) => matches(inFolder));
    const layer = index >= 0 ? index : lastIndex;
    layers[layer]?.push(entry);
    placeParents(layer, entry.path);
  }
  // Folders with nothing in them still belong to the image: the last layer has them.
  for (const path of directories.keys()) {
    if (!placed.some((paths) => paths.has(path))) {
      placeParents(lastIndex, path);
      placeFolder(lastIndex, path);
    }
  }
  // Every layer has at least the destination's folders, even a group that matched nothing, so
  // the number of layers (and what each one is for) does not depend on the folder's content.
  for (const layer of layers.keys()) {
    if (root) {
      placeParents(layer, root);
      placeFolder(layer, root);
    }
  }
  return layers;
}
