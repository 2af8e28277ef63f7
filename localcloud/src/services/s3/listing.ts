import { compareUtf8 } from "./store";

export interface ListInput {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  /** List keys strictly after this one (start-after, marker, or a continuation token's position). */
  after?: string;
}

export interface ListPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of this page: where the next page starts. */
  last?: string;
}

/**
 * One page of a listing over keys sorted in UTF-8 order. Keys that share a prefix up to the
 * delimiter roll up into one common prefix, which counts once towards max-keys; a page that ends on
 * a common prefix resumes after every key under it.
 */
export const listPage = (sortedKeys: string[], input: ListInput): ListPage => {
  const { prefix, delimiter, maxKeys } = input;
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let index = firstIndexAfter(sortedKeys, input.after ?? "", prefix);
  const after = input.after;
  while (index < sortedKeys.length) {
    const key = sortedKeys[index] as string;
    index += 1;
    if (!key.startsWith(prefix)) {
      if (compareUtf8(key, prefix) > 0) break;
      continue;
    }
    let entry = key;
    let isPrefix = false;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        entry = key.slice(0, at + delimiter.length);
        isPrefix = true;
      }
    }
    // Resuming after a common prefix: skip the keys it already stood for.
    if (isPrefix && after !== undefined && entry === after) continue;
    if (isPrefix && entry === commonPrefixes[commonPrefixes.length - 1]) continue;
    if (keys.length + commonPrefixes.length >= maxKeys) {
      return { keys, commonPrefixes, isTruncated: true, ...(last !== undefined ? { last } : {}) };
    }
    if (isPrefix) commonPrefixes.push(entry);
    else keys.push(entry);
    last = entry;
  }
  return { keys, commonPrefixes, isTruncated: false, ...(last !== undefined ? { last } : {}) };
};

/** Binary search for the first key greater than `after` and not before `prefix`. */
const firstIndexAfter = (sortedKeys: string[], after: string, prefix: string): number => {
  const bound = compareUtf8(after, prefix) > 0 ? after : prefix;
  const inclusive = bound === prefix && compareUtf8(after, prefix) < 0;
  let low = 0;
  let high = sortedKeys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const cmp = compareUtf8(sortedKeys[mid] as string, bound);
    if (cmp < 0 || (cmp === 0 && !inclusive)) low = mid + 1;
    else high = mid;
  }
  return low;
};
