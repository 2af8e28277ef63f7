/**
 * An OCI digest as text ("sha256:<64 hex>"). Its own file, without node:crypto: input parsers
 * check digests before anything is hashed.
 */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
