import { ConfigurationError, quote } from "../lib/errors";

/**
 * A layer split (see layer-split.ts): pattern groups, bottom layer first. Its own file, without
 * the glob matcher: the `layers` input is checked before anything is matched.
 */
export type LayerPatterns = string[][];

/**
 * "one line per layer, globs separated by spaces" → pattern groups (the `layers` input).
 * Commas are not separators here: they belong to brace globs like `*.{wasm,data}`.
 */
export function parseLayerPatterns(text: string): LayerPatterns {
  const groups = text
    .split("\n")
    .map((line) => line.trim().split(/\s+/).filter(Boolean))
    .filter((group) => group.length > 0);
  for (const pattern of groups.flat()) {
    if (pattern.startsWith("/") || pattern.split("/").includes("..")) {
      throw new ConfigurationError(
        `pattern ${quote(pattern)} must be relative to the folder, without "..", like *.wasm or assets/**`,
      );
    }
  }
  return groups;
}
