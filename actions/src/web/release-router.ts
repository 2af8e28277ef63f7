import { ConfigurationError } from "../lib/errors";
import { PREVIEW_HOST, PREVIEW_KEY_PREFIX } from "./preview-names";

/**
 * The atomic web mode's edge side: a CloudFront Function (runtime cloudfront-js-2.0) on the
 * distribution's default behaviour that reads which release is live from a key value store and
 * rewrites each viewer request for a release's own files to `/releases/<id>/…`. Hashed assets
 * are shared by every release and served from their normal keys, untouched. Switching releases
 * is then one PutKey: no object is overwritten and nothing cached needs invalidating, because
 * every cache key names its release.
 */

/** The key of the live release in the key value store. */
export const LIVE_KEY = "shipline-live";

/** The bucket folder (under the site's prefix) holding each release's own files. */
export const RELEASES_FOLDER = "releases/";

/** The folder of one release's files, relative to the site's prefix. */
export const releaseFolder = (releaseId: string): string => `${RELEASES_FOLDER}${releaseId}/`;

/** CloudFront's limit on a key value store value. */
export const MAX_VALUE_BYTES = 1024;

export const ROUTER_RUNTIME = "cloudfront-js-2.0";

/**
 * The live pointer as stored (JSON): the release, and the paths the function leaves alone —
 * the hashed assets, as folders ("/assets/") or single files. Kept with the release id so a
 * switch, or a rollback, is one write of one value.
 */
export interface LivePointer {
  release: string;
  assets: string[];
}

/**
 * The function's code. No network, no modules but `cloudfront`, plain ES that runtime 2.0
 * supports. A store without the key (before the first atomic release) leaves every request as it
 * came, so associating the function changes nothing until a release goes live. Paths: a folder
 * ("/docs/") gets its index.html; a path without an extension in its last segment is an SPA route
 * and gets the release's /index.html; anything else is the release's file of that name. The
 * Host header's port is dropped (viewers name one only off the standard ports).
 */
export const ROUTER_CODE = `import cf from 'cloudfront';

const kvs = cf.kvs();

async function handler(event) {
  const request = event.request;
  const uri = request.uri;
  const host = request.headers.host ? request.headers.host.value.toLowerCase().split(':')[0] : '';
  const preview = ${PREVIEW_HOST}.test(host);
  let live;
  try {
    live = await kvs.get(preview ? '${PREVIEW_KEY_PREFIX}' + host : '${LIVE_KEY}', { format: 'json' });
  } catch (e) {
    if (!preview) return request;
    return {
      statusCode: 404,
      statusDescription: 'Not Found',
      headers: { 'content-type': { value: 'text/plain' }, 'cache-control': { value: 'no-store' } },
      body: 'No preview is published at this address.'
    };
  }
  const assets = live.assets;
  for (let i = 0; i < assets.length; i++) {
    const asset = assets[i];
    if (uri === asset || (asset.endsWith('/') && uri.startsWith(asset))) return request;
  }
  const base = '/${RELEASES_FOLDER}' + live.release;
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  if (last === '') request.uri = base + uri + 'index.html';
  else if (last.indexOf('.') === -1) request.uri = base + '/index.html';
  else request.uri = base + uri;
  return request;
}
`;

/**
 * The paths the function must not rewrite: every hashed asset, as the shortest folder holding no
 * release file (so "/assets/" covers a build's whole asset folder and the value stays small), or
 * the file's own path when its folder also holds release files. Paths are relative to the site.
 */
export function assetRoutes(immutable: Iterable<string>, releaseFiles: Iterable<string>): string[] {
  const release = new Set(releaseFiles);
  const releaseFolders = new Set<string>();
  for (const path of release) {
    for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
      releaseFolders.add(path.slice(0, i + 1));
    }
  }
  const routes = new Set<string>();
  for (const path of immutable) {
    if (release.has(path)) continue;
    let route = path;
    for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
      const folder = path.slice(0, i + 1);
      if (!releaseFolders.has(folder)) {
        route = folder;
        break;
      }
    }
    routes.add(`/${route}`);
  }
  // A folder covers the single files under it.
  const folders = [...routes].filter((route) => route.endsWith("/"));
  return [...routes]
    .filter((route) => !folders.some((folder) => folder !== route && route.startsWith(folder)))
    .sort();
}

/** The stored value; too large a value is the site's layout, reported before anything changes. */
export function encodeLivePointer(pointer: LivePointer): string {
  const value = JSON.stringify({ release: pointer.release, assets: pointer.assets });
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > MAX_VALUE_BYTES) {
    throw new ConfigurationError(
      `the atomic web mode's live pointer for release "${pointer.release}" would be ${bytes} bytes, more than a key value store value holds (${MAX_VALUE_BYTES}): it lists ${pointer.assets.length} hashed asset paths; put the hashed assets in folders of their own (e.g. assets/) so one folder covers them`,
    );
  }
  return value;
}

/** The stored value read back; undefined for anything shipline did not write. */
export function decodeLivePointer(value: string | undefined): LivePointer | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<LivePointer>;
    if (typeof parsed.release !== "string" || !Array.isArray(parsed.assets)) return undefined;
    return { release: parsed.release, assets: parsed.assets.map(String) };
  } catch {
    return undefined;
  }
}
