import { s3Errors } from "./errors";

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Parses a single `bytes=` range against the object size. A header S3 would ignore (not `bytes=`,
 * several ranges, malformed) gives undefined: the whole object is served. A range that starts past
 * the end is InvalidRange (416).
 */
export const parseRange = (header: string | undefined, size: number): ByteRange | undefined => {
  if (header === undefined) return undefined;
  const match = header.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw s3Errors.invalidRange(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return undefined;
  if (start >= size) throw s3Errors.invalidRange(header, size);
  return { start, end };
};
