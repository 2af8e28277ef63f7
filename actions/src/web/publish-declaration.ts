import { declareUnit, type InputDeclarations } from "../lib/declaration";
import { WEB_MODE_INPUTS } from "./mode-declaration";

/**
 * The settings every web publish shares (publish-web, and preview publish), as
 * `publishSettingsShape` in inputs.ts parses them: declared once for both units.
 */
export const PUBLISH_SETTINGS = {
  bucket: {
    description: "The S3 bucket.",
    required: true,
  },
  "distribution-id": {
    description: "CloudFront distributions serving the bucket, one per line or comma separated.",
    cli: { repeatable: true },
  },
  revision: {
    description: "The commit. Default is GITHUB_SHA.",
  },
  immutable: {
    description:
      "Glob patterns of content-hashed files (cached for a year), besides those asset-manifest.json lists. With neither: the files whose names carry a content hash (like index-5QFKU2XN.js).",
    cli: { repeatable: true },
  },
  exclude: {
    description: "Glob patterns of files not to publish (build metadata).",
    default: "asset-manifest.json",
    cli: { repeatable: true },
  },
  "entry-points": {
    description: "Glob patterns of entry points (no-cache, uploaded last). Default **/*.html.",
    cli: { repeatable: true },
  },
  "cache-control": {
    description: "PATTERN=VALUE lines overriding Cache-Control; the first matching pattern wins.",
    cli: { repeatable: true },
  },
  "content-type": {
    description: "PATTERN=VALUE lines overriding Content-Type; the first matching pattern wins.",
    cli: { repeatable: true },
  },
  "delete-limit": {
    description:
      "Abort, before changing anything, when a publish would delete more objects than this.",
    default: "1000",
  },
  wait: {
    description: "Wait until the invalidations complete.",
    default: "false",
    cli: { switch: true },
  },
  "wait-timeout": {
    description: "How long to wait for CloudFront (busy distributions and completion), e.g. 5m.",
    default: "10m",
  },
  concurrency: {
    description: "Uploads at once (keep-alive connections).",
    default: "16",
  },
  "multipart-threshold": {
    description:
      'Size from which a file is uploaded in parts, in bytes or with a unit like "64MiB" (at least 5 MiB, S3\'s smallest part).',
    default: "16MiB",
  },
  "ledger-prefix": {
    description: "Reserved key prefix for shipline's records (release manifests).",
    default: ".shipline/",
  },
  region: {
    description:
      "AWS region. Default is the SDK's (AWS_REGION, as set by configure-aws-credentials).",
  },
  "dry-run": {
    description: "Print the plan; change nothing.",
    default: "false",
    cli: { switch: true },
  },
} satisfies InputDeclarations;

export const PUBLISH_WEB = declareUnit({
  action: "publish-web",
  command: "publish-web",
  inputs: {
    source: {
      description:
        "The built site folder. Must contain index.html; an empty or missing folder is refused.",
      required: true,
    },
    "release-id": {
      description: "The release id. Default is the build's (asset-manifest.json), else the commit.",
    },
    "keep-releases": {
      description: "How many earlier releases keep their files (old tabs, instant rollback).",
      default: "3",
    },
    invalidate: {
      description: "Invalidate the changed paths on the distributions.",
      default: "true",
    },
    url: {
      description:
        "Public base URL of the site. Default is https:// and the first distribution's domain.",
    },
    prefix: {
      description: "Key prefix of the site in the bucket; empty for the bucket root.",
      default: "",
    },
    ...WEB_MODE_INPUTS,
    ...PUBLISH_SETTINGS,
  },
  outputs: {
    "release-id": "The release published.",
    uploaded: "Files uploaded (0 when nothing changed).",
    "uploaded-bytes": "Bytes uploaded.",
    copied: "Files copied inside the bucket (header-only changes, bytes another key held).",
    skipped: "Files already there with the same content and headers.",
    "skipped-bytes": "Bytes not uploaded because they were already there.",
    deleted: "Objects of releases older than the kept ones that were deleted.",
    "deleted-bytes": "Their size in bytes.",
    "invalidation-id":
      "The invalidation ids, comma separated (empty when nothing needed invalidating).",
    "invalidation-paths": "The invalidated paths, comma separated.",
    url: "The site's URL.",
  },
});
