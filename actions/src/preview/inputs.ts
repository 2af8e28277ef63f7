import { checkReleaseId, normalizePrefix } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  duration,
  inputSchema,
  integer,
  keyValues,
  list,
  oneOf,
  optionalParsedWith,
  optionalText,
  parseInputs,
  type RawInputs,
  textWithDefault,
} from "../lib/inputs";
import {
  environmentOverrides,
  type GateSettings,
  type ImageChange,
  imageChanges,
  parseGrace,
} from "../service/inputs";
import {
  checkPublishSettings,
  checkWebMode,
  type PublishWebInputs,
  publishSettingsShape,
  rules,
  webModeShape,
} from "../web/inputs";
import { hostPreviewLedger, previewHost } from "../web/preview-names";
import { PREVIEW } from "./declaration";

/** The inputs of the preview action, named exactly as in actions/preview/action.yml. */
export const previewSchema = inputSchema(
  declaredShape(PREVIEW.inputs, {
    ...publishSettingsShape,
    // Only `publish` reads a folder.
    source: optionalText(),
    ...webModeShape,
    "preview-domain": optionalText(),
    command: oneOf(["publish", "destroy", "sweep", "base-path"], "publish"),
    "pull-request": integer(0, { min: 0 }),
    "previews-prefix": textWithDefault("previews/"),
    comment: boolean(true),
    "github-token": optionalText(),
    repository: optionalText(),
    "open-pull-requests": list(),
    api: boolean(false),
    cluster: optionalText(),
    service: optionalText(),
    images: imageChanges(),
    "image-layouts": optionalText(),
    containers: keyValues(),
    "api-environment": environmentOverrides(),
    "gate-timeout": duration(15 * 60_000),
    "gate-interval": duration(5_000),
    "healthy-polls": integer(3, { min: 1, max: 100 }),
    "grace-period": optionalParsedWith(parseGrace),
  }),
);

/** A domain name: lower-case labels of letters, digits and hyphens, at least two. */
const DOMAIN =
  /^(?=.{1,240}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A preview's own API (input api): what it is made from and how its rollout is judged. */
export interface PreviewApiInputs {
  cluster: string;
  /** Production's service, the template. */
  service: string;
  domain: string;
  /** The pull request's images, by digest (given, or pushed from image-layouts). */
  images: ImageChange[];
  /** A folder of OCI layouts, one per container, pushed to `containers`' repositories first. */
  imageLayouts?: string;
  /** container → ECR repository. */
  containers: Record<string, string>;
  environment: Record<string, Record<string, string>>;
  /** graceMs absent: the preview service's own health check grace period. */
  gate: Omit<GateSettings, "graceMs"> & { graceMs?: number };
}

export interface PreviewInputs {
  command: "publish" | "destroy" | "sweep" | "base-path";
  /**
   * Where a preview is served. "host" (web-mode atomic): a release of the site at
   * pr-<n>.<domain>, its pointer at the store key of that host, its manifest in its own ledger
   * folder. "path" (web-mode invalidate): a copy under previews/pr-<n>/.
   */
  mode: "host" | "path";
  /** The preview domain (host mode). */
  domain?: string;
  /** The environment's ledger prefix (the publish's is the preview's own folder in host mode). */
  ledgerPrefix: string;
  /** The pull request number (publish, destroy). */
  pullRequest: number;
  /** Where previews live: "previews/". */
  previewsPrefix: string;
  comment: boolean;
  githubToken?: string;
  repository?: string;
  /** For sweep without GitHub: the pull requests still open. */
  openPullRequests?: number[];
  /** Set when input api is true. */
  api?: PreviewApiInputs;
  /**
   * The publish settings, with `prefix` = previews/pr-<n>/, `source` when publishing, and a
   * release id of its own for every push (see previewReleaseId).
   */
  publish: PublishWebInputs;
}

/** The path a preview's build is served at (its base path). */
export function previewBasePath(inputs: PreviewInputs): string {
  return inputs.mode === "host"
    ? "/"
    : `/${previewPrefix(inputs.previewsPrefix, inputs.pullRequest)}`;
}

/**
 * A host preview's base URL, without the path: https (or the scheme and port of input "url",
 * e.g. a test edge's) and the preview's host.
 */
export function hostPreviewUrl(domain: string, pullRequest: number, url?: string): string {
  const base = url ? new URL(url) : undefined;
  const port = base?.port ? `:${base.port}` : "";
  return `${base?.protocol ?? "https:"}//${previewHost(pullRequest, domain)}${port}`;
}

export function previewPrefix(previewsPrefix: string, pullRequest: number): string {
  return `${previewsPrefix}pr-${pullRequest}/`;
}

/**
 * A preview's release id: `pr-<n>-<commit>-<run>`, one per push and CI run, so each push records
 * its own release and sends its own invalidation (CloudFront replays an invalidation whose
 * CallerReference, made from the release id, was seen before). A re-run of the same job keeps it.
 */
export function previewReleaseId(pullRequest: number, run: string): string {
  return checkReleaseId(`pr-${pullRequest}-${run}`);
}

/** `run`: the CI run's own id, commit + run (release/record.ts's releaseIdOf). */
export function parsePreviewInputs(raw: RawInputs, run: string): PreviewInputs {
  const parsed = parseInputs(previewSchema, raw);
  const problems: string[] = [];
  const previewsPrefix = normalizePrefix(parsed["previews-prefix"], "previews-prefix");
  if (previewsPrefix === "")
    problems.push(
      'input "previews-prefix" must not be empty (previews never go at the bucket root)',
    );
  const host = parsed["web-mode"] === "atomic";
  const domain = parsed["preview-domain"]?.trim().toLowerCase().replace(/\.$/, "");
  if (host && domain === undefined) {
    problems.push(
      'input "preview-domain" is required with web-mode atomic: previews are served at pr-<n>.<preview domain> (use web-mode invalidate for previews under a path of the site)',
    );
  } else if (host && domain !== undefined && !DOMAIN.test(domain)) {
    problems.push(
      `input "preview-domain" ${quote(parsed["preview-domain"] ?? "")} is not a domain name like "preview.example-preview.com"`,
    );
  } else if (!host && domain !== undefined) {
    problems.push(
      'input "preview-domain" needs web-mode atomic: previews on their own hosts are routed by the release router (web-mode invalidate serves previews under previews/pr-<n>/)',
    );
  }
  if (parsed.command !== "sweep" && parsed["pull-request"] < 1) {
    problems.push(
      `input "pull-request" is required for ${parsed.command} (the pull request number)`,
    );
  }
  if (parsed.command === "publish" && parsed.source === undefined)
    problems.push('input "source" is required for publish');
  const open = parsed["open-pull-requests"].map((value) => {
    if (!/^\d+$/.test(value))
      problems.push(`input "open-pull-requests" ${quote(value)} is not a pull request number`);
    return Number(value);
  });
  if (parsed.api) {
    for (const name of ["preview-domain", "cluster", "service"] as const) {
      if (!parsed[name])
        problems.push(`input "${name}" is required with api (${PREVIEW.inputs[name].description})`);
    }
    if (
      parsed.command === "publish" &&
      parsed.images.length === 0 &&
      parsed["image-layouts"] === undefined
    ) {
      problems.push(
        'input "images" or "image-layouts" is required to publish with api (the pull request\'s images)',
      );
    }
    if (parsed["image-layouts"] !== undefined && Object.keys(parsed.containers).length === 0) {
      problems.push(
        'input "containers" is required with "image-layouts" (where each image is pushed)',
      );
    }
  }
  if (parsed["gate-timeout"] <= 0) problems.push(`input "gate-timeout" must be more than 0`);
  if (parsed["gate-interval"] <= 0) problems.push(`input "gate-interval" must be more than 0`);
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  const api: PreviewApiInputs | undefined = parsed.api
    ? {
        cluster: parsed.cluster ?? "",
        service: parsed.service ?? "",
        domain: domain ?? "",
        images: parsed.images,
        ...(parsed["image-layouts"] !== undefined ? { imageLayouts: parsed["image-layouts"] } : {}),
        containers: parsed.containers,
        environment: parsed["api-environment"],
        gate: {
          pollIntervalMs: parsed["gate-interval"],
          healthyPolls: parsed["healthy-polls"],
          timeoutMs: parsed["gate-timeout"],
          ...(parsed["grace-period"] !== undefined ? { graceMs: parsed["grace-period"] } : {}),
        },
      }
    : undefined;
  const settings = checkPublishSettings({
    ...parsed,
    source: parsed.source ?? "",
    // A host preview is a release of the site at the bucket's root, as production's.
    prefix: host
      ? ""
      : parsed.command === "sweep"
        ? previewsPrefix
        : previewPrefix(previewsPrefix, parsed["pull-request"]),
  });
  if (host) checkWebMode(settings);
  const ledgerPrefix = settings["ledger-prefix"];
  return {
    command: parsed.command,
    mode: host ? "host" : "path",
    ...(host && domain ? { domain } : {}),
    ledgerPrefix,
    pullRequest: parsed["pull-request"],
    previewsPrefix,
    comment: parsed.comment,
    ...(parsed["github-token"] ? { githubToken: parsed["github-token"] } : {}),
    ...(parsed.repository ? { repository: parsed.repository } : {}),
    ...(open.length > 0 ? { openPullRequests: open } : {}),
    ...(api ? { api } : {}),
    publish: {
      ...settings,
      ...(host
        ? {
            // The preview's manifest and records, apart from production's and other previews'.
            "ledger-prefix": hostPreviewLedger(ledgerPrefix, parsed["pull-request"]),
            url: hostPreviewUrl(domain ?? "", parsed["pull-request"], settings.url),
          }
        : {
            "web-mode": "invalidate" as const,
            "key-value-store": undefined,
            "edge-function": undefined,
          }),
      ...(parsed.command === "publish" && settings["release-id"] === undefined
        ? { "release-id": previewReleaseId(parsed["pull-request"], run) }
        : {}),
      "cache-control": rules(settings["cache-control"]),
      "content-type": rules(settings["content-type"]),
    },
  };
}
