import { declareUnit } from "../lib/declaration";

/** preview: a pull request's own copy of the site under previews/pr-<n>/, and its cleanup. */
export const PREVIEW = declareUnit({
  action: "preview",
  command: "preview",
  inputs: {
    source: {
      description: "The built preview folder (publish only).",
    },
    bucket: {
      description: "The S3 bucket.",
      required: true,
    },
    "distribution-id": {
      description: "CloudFront distributions serving the bucket, one per line or comma separated.",
      cli: { repeatable: true },
    },
    "release-id": {
      description:
        "The release id. Default is pr-<n>-<commit>-<run>, one per push and workflow run (so each push gets its own invalidation).",
    },
    revision: {
      description: "The commit. Default is GITHUB_SHA.",
    },
    immutable: {
      description:
        "Glob patterns of content-hashed files, besides those asset-manifest.json lists.",
      cli: { repeatable: true },
    },
    exclude: {
      description: "Glob patterns of files not to publish (build metadata).",
      default: "asset-manifest.json",
      cli: { repeatable: true },
    },
    "entry-points": {
      description: "Glob patterns of entry points. Default **/*.html.",
      cli: { repeatable: true },
    },
    "cache-control": {
      description: "PATTERN=VALUE lines overriding Cache-Control.",
      cli: { repeatable: true },
    },
    "content-type": {
      description: "PATTERN=VALUE lines overriding Content-Type.",
      cli: { repeatable: true },
    },
    "keep-releases": {
      description: "How many earlier releases of the preview keep their files.",
      default: "3",
    },
    "delete-limit": {
      description: "Abort before deleting more objects than this.",
      default: "1000",
    },
    invalidate: {
      description: "Invalidate changed paths (publish) or the whole preview (destroy).",
      default: "true",
    },
    wait: {
      description: "Wait until the invalidations complete.",
      default: "false",
      cli: { switch: true },
    },
    "wait-timeout": {
      description: "How long to wait for CloudFront, e.g. 5m.",
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
      description: "Reserved key prefix for shipline's records.",
      default: ".shipline/",
    },
    url: {
      description: "Public base URL. Default is https:// and the first distribution's domain.",
    },
    region: {
      description: "AWS region.",
    },
    "dry-run": {
      description: "Print the plan; change nothing.",
      default: "false",
      cli: { switch: true },
    },
    command: {
      description: "publish, destroy or sweep.",
      default: "publish",
      cli: false,
    },
    "pull-request": {
      description: "The pull request number. Default is the event's pull request.",
    },
    "previews-prefix": {
      description: "Where previews live in the bucket.",
      default: "previews/",
    },
    comment: {
      description: "Comment the preview URL on the pull request.",
      default: "true",
    },
    "github-token": {
      description: "Token for the comment and the sweep's list of open pull requests.",
      // A GitHub expression, evaluated by the runner: the job's own token.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      default: "${{ github.token }}",
      cli: false,
    },
    repository: {
      description: "owner/name. Default is the workflow's repository.",
    },
    "open-pull-requests": {
      description: "For sweep without GitHub access, the pull requests still open.",
      cli: { repeatable: true },
    },
  },
  outputs: {
    url: "The preview's URL (publish).",
    "release-id": "The release published (publish).",
    "uploaded-bytes": "Bytes uploaded (publish).",
    copied: "Files copied inside the bucket (publish).",
    "skipped-bytes": "Bytes not uploaded because they were already there (publish).",
    "deleted-bytes": "Size in bytes of the objects deleted by pruning (publish).",
    "invalidation-paths": "The invalidated paths, comma separated (publish).",
    comment: "created, updated, unchanged or skipped (publish).",
    uploaded: "Files uploaded (publish).",
    skipped: "Files unchanged (publish).",
    deleted: "Objects deleted (destroy, sweep).",
    removed: "Pull requests whose previews were removed (sweep), comma separated.",
    "invalidation-id": "Invalidation ids, comma separated.",
  },
});
