/**
 * A build's optional description of its output (format: actions/publish-web/README.md). Its own
 * file: publish-web's inputs name it (the default `exclude`), and must not load the manifest's
 * reader and its schema.
 */
export const ASSET_MANIFEST_FILE = "asset-manifest.json";
