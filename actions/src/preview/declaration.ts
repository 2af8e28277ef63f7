import { declareUnit } from "../lib/declaration";
import { PUBLISH_SETTINGS } from "../web/publish-declaration";

/** preview: a pull request's own copy of the site under previews/pr-<n>/, and its cleanup. */
export const PREVIEW = declareUnit({
  action: "preview",
  command: "preview",
  inputs: {
    source: {
      description: "The built preview folder (publish only).",
    },
    "release-id": {
      description:
        "The release id. Default is pr-<n>-<commit>-<run>, one per push and workflow run (so each push gets its own invalidation).",
    },
    "keep-releases": {
      description: "How many earlier releases of the preview keep their files.",
      default: "3",
    },
    invalidate: {
      description: "Invalidate changed paths (publish) or the whole preview (destroy).",
      default: "true",
    },
    url: {
      description: "Public base URL. Default is https:// and the first distribution's domain.",
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
    ...PUBLISH_SETTINGS,
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
