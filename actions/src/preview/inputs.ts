import { checkReleaseId, normalizePrefix } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  inputSchema,
  integer,
  list,
  oneOf,
  optionalText,
  parseInputs,
  type RawInputs,
  textWithDefault,
} from "../lib/inputs";
import {
  checkPublishSettings,
  type PublishWebInputs,
  publishSettingsShape,
  rules,
} from "../web/inputs";
import { PREVIEW } from "./declaration";

/** The inputs of the preview action, named exactly as in actions/preview/action.yml. */
export const previewSchema = inputSchema(
  declaredShape(PREVIEW.inputs, {
    ...publishSettingsShape,
    // Only `publish` reads a folder.
    source: optionalText(),
    command: oneOf(["publish", "destroy", "sweep"], "publish"),
    "pull-request": integer(0, { min: 0 }),
    "previews-prefix": textWithDefault("previews/"),
    comment: boolean(true),
    "github-token": optionalText(),
    repository: optionalText(),
    "open-pull-requests": list(),
  }),
);

export interface PreviewInputs {
  command: "publish" | "destroy" | "sweep";
  /** The pull request number (publish, destroy). */
  pullRequest: number;
  /** Where previews live: "previews/". */
  previewsPrefix: string;
  comment: boolean;
  githubToken?: string;
  repository?: string;
  /** For sweep without GitHub: the pull requests still open. */
  openPullRequests?: number[];
  /**
   * The publish settings, with `prefix` = previews/pr-<n>/, `source` when publishing, and a
   * release id of its own for every push (see previewReleaseId).
   */
  publish: PublishWebInputs;
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
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  const settings = checkPublishSettings({
    ...parsed,
    source: parsed.source ?? "",
    prefix:
      parsed.command === "sweep"
        ? previewsPrefix
        : previewPrefix(previewsPrefix, parsed["pull-request"]),
  });
  return {
    command: parsed.command,
    pullRequest: parsed["pull-request"],
    previewsPrefix,
    comment: parsed.comment,
    ...(parsed["github-token"] ? { githubToken: parsed["github-token"] } : {}),
    ...(parsed.repository ? { repository: parsed.repository } : {}),
    ...(open.length > 0 ? { openPullRequests: open } : {}),
    publish: {
      ...settings,
      // Previews live under a prefix of the bucket, which the atomic mode's router does not serve.
      "web-mode": "invalidate",
      "key-value-store": undefined,
      "edge-function": undefined,
      ...(parsed.command === "publish" && settings["release-id"] === undefined
        ? { "release-id": previewReleaseId(parsed["pull-request"], run) }
        : {}),
      "cache-control": rules(settings["cache-control"]),
      "content-type": rules(settings["content-type"]),
    },
  };
}
