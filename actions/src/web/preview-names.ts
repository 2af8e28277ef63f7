// Apart from the router's code and the ledger's readers, so that checking a preview's inputs (on
// the entries' quick paths) bundles neither.

/**
 * Previews are releases reached at their own host: `pr-<n>.<preview domain>`. The viewer's Host
 * names the store key of the preview's pointer, so the function needs no configuration (its code
 * is the same for every site) and a preview domain is whatever hosts have keys: a host whose first
 * label is not `pr-<digits>` is never looked up (production costs one read), and one that is but
 * has no key (a closed preview, or a production alias that happens to look like one) is a 404,
 * never production's pages at a preview's address.
 */
export const PREVIEW_HOST = /^pr-\d+\./;

/** Store keys of previews: this, then the preview's host. */
export const PREVIEW_KEY_PREFIX = "shipline-host:";

/** The store key of the preview at `host` (lower case, no port). */
export const previewKey = (host: string): string => `${PREVIEW_KEY_PREFIX}${host.toLowerCase()}`;

/** The host of pull request `pr`'s preview on `domain`. */
export const previewHost = (pr: number, domain: string): string => `pr-${pr}.${domain}`;

/**
 * Host previews keep their manifests apart from production's, each in its own ledger folder
 * (`<ledger>previews/pr-<n>/`), so a preview's retention and removal go by its own releases.
 */
export const HOST_PREVIEWS_FOLDER = "previews/";

/** The ledger prefix of pull request `pr`'s host preview, under the environment's ledger. */
export const hostPreviewLedger = (ledgerPrefix: string, pr: number): string =>
  `${ledgerPrefix}${HOST_PREVIEWS_FOLDER}pr-${pr}/`;
