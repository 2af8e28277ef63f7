import { canonicalInvalidationPath, invalidationCovers } from "../invalidation-rules";

/** A response kept at the edge, whole, with what is needed to serve and revalidate it. */
export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** What invalidations match: the viewer's URL path in canonical spelling, with its query string if in the key. */
  path: string;
  /** When it was stored or last revalidated (epoch ms): the base of `Age` and freshness. */
  storedAt: number;
  ttlSeconds: number;
  /** An error response (kept for ErrorCachingMinTTL and never revalidated). */
  error: boolean;
  etag?: string;
  lastModified?: string;
}

export const isFresh = (entry: CachedResponse, now: number): boolean =>
  now - entry.storedAt < entry.ttlSeconds * 1000;

/** One distribution's cache: in memory, like an edge location's (a restart starts cold). */
export class EdgeCache {
  private readonly entries = new Map<string, CachedResponse>();

  get(key: string): CachedResponse | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: CachedResponse): void {
    this.entries.set(key, entry);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry an invalidation names; returns how many were dropped. */
  purge(invalidationPaths: string[]): number {
    const paths = invalidationPaths.map(canonicalInvalidationPath);
    let purged = 0;
    for (const [key, entry] of this.entries) {
      if (paths.some((path) => invalidationCovers(path, entry.path))) {
        this.entries.delete(key);
        purged += 1;
      }
    }
    return purged;
  }

  get size(): number {
    return this.entries.size;
  }
}
