import { declareUnit, type InputDeclarations } from "../lib/declaration";
import { GATE_INPUTS } from "../release/declarations";
import { WEB_MODE_INPUTS } from "../web/mode-declaration";
import { PUBLISH_SETTINGS } from "../web/publish-declaration";

/** The preview domain, declared once: the preview's input and the configuration file's preview.domain. */
export const PREVIEW_DOMAIN = {
  "preview-domain": {
    description:
      "The domain previews are served on (web-mode atomic): pull request <n>'s preview is https://pr-<n>.<domain>/, routed by the release router from its own key value store key. Give it its own registrable domain (not a subdomain of the site's), so the site's cookies never reach a preview. A preview's own API (api) is reached at the same host, through a host rule on the load balancer.",
  },
} satisfies InputDeclarations;

/**
 * preview: a pull request's own release of the site, and its cleanup. In web-mode atomic it is
 * a release at its own host (pr-<n>.<preview domain>); in web-mode invalidate, a copy under
 * previews/pr-<n>/ built with that base path.
 */
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
      description:
        "publish, destroy, sweep, or base-path (prints the path the preview's build is served at: / for a host preview).",
      default: "publish",
      cli: false,
    },
    "pull-request": {
      description: "The pull request number. Default is the event's pull request.",
    },
    ...PREVIEW_DOMAIN,
    "previews-prefix": {
      description: "Where previews live in the bucket (web-mode invalidate).",
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
    api: {
      description:
        "Also run the pull request's API: an ECS service of its own (production's task definition with the pull request's images and api-environment, desired count 1) behind a target group of its own and a host rule pr-<n>.<preview-domain> on production's listener, gated like a release; destroy and sweep remove it.",
      default: "false",
      config: "preview.api",
    },
    cluster: {
      description: "Production's ECS cluster, where previews' API services run (api).",
      config: "cluster",
    },
    service: {
      description:
        "Production's ECS service: its task definition, network and target group are a preview API's template (api).",
      config: "service",
    },
    images: {
      description:
        "The pull request's images, one per line: container=registry/repository@sha256:... (api).",
      cli: { repeatable: true },
    },
    "image-layouts": {
      description:
        "A folder of OCI image layouts, one per container named like it, built without credentials: each is pushed to its container's repository (containers), tagged pr-<n>-<run>, and run by the preview's API (api).",
    },
    containers: {
      description:
        "container=repository lines: where image-layouts' images are pushed (ECR of the current account).",
      cli: { repeatable: true },
      config: "containers",
    },
    "api-environment": {
      description:
        "Environment variables of the preview's API, one per line: container:NAME=value (an empty value unsets a setting for apps that read empty as unset, e.g. api:DATABASE_URL= for the embedded database).",
      cli: { repeatable: true },
      config: "preview.environment",
    },
    ...GATE_INPUTS,
    ...WEB_MODE_INPUTS,
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
    "api-service": "The preview API's ECS service (publish with api).",
    "api-host": "The host the preview API's listener rule matches (publish with api).",
  },
});
