import type { Command } from "commander";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

/** Flags every web publish shares, named like the inputs of actions/publish-web/action.yml. */
export const PUBLISH_SETTINGS_FLAGS: FlagSpec[] = [
  { name: "source", description: "the built site folder (must contain index.html)" },
  { name: "bucket", description: "the S3 bucket" },
  {
    name: "distribution-id",
    description: "CloudFront distribution to invalidate",
    repeatable: true,
  },
  { name: "release-id", description: "release id (default: the build's, or the commit)" },
  { name: "revision", description: "commit (default: GITHUB_SHA / CIRCLE_SHA1)" },
  {
    name: "immutable",
    description: "pattern of content-hashed files (besides asset-manifest.json's)",
    repeatable: true,
  },
  {
    name: "exclude",
    description: "pattern of files not to publish (default asset-manifest.json)",
    repeatable: true,
  },
  {
    name: "entry-points",
    description: "pattern of entry points, uploaded last (default **/*.html)",
    repeatable: true,
  },
  {
    name: "cache-control",
    description: "PATTERN=VALUE Cache-Control rule, first match wins",
    repeatable: true,
  },
  {
    name: "content-type",
    description: "PATTERN=VALUE Content-Type rule, first match wins",
    repeatable: true,
  },
  { name: "keep-releases", description: "earlier releases whose files are kept (default 3)" },
  {
    name: "delete-limit",
    description: "abort before deleting more objects than this (default 1000)",
  },
  { name: "invalidate", description: "invalidate changed paths: true or false (default true)" },
  { name: "wait", description: "wait for the invalidations to complete", switch: true },
  { name: "wait-timeout", description: "how long to wait, e.g. 5m (default 10m)" },
  { name: "concurrency", description: "uploads at once (default 16)" },
  {
    name: "multipart-threshold",
    description:
      'size from which files go up in parts, e.g. "64MiB" or bytes (default 16MiB, at least 5MiB: S3\'s smallest part)',
  },
  {
    name: "ledger-prefix",
    description: "reserved prefix for shipline's records (default .shipline/)",
  },
  { name: "url", description: "the site's public base URL (default: the distribution's domain)" },
  { name: "region", description: "AWS region (default: the SDK's, e.g. AWS_REGION)" },
  { name: "dry-run", description: "print the plan, change nothing", switch: true },
];

export const PUBLISH_WEB_FLAGS: FlagSpec[] = [
  ...PUBLISH_SETTINGS_FLAGS,
  { name: "prefix", description: 'key prefix of the site in the bucket (default "")' },
];

export function publishWebCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("publish-web")
    .description(
      "publish a built SPA to S3 (only what changed, entry points last) and invalidate CloudFront",
    );
  addFlags(command, PUBLISH_WEB_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const { parsePublishWebInputs } = await import("../web/inputs");
    const inputs = parsePublishWebInputs(
      mergeRawInputs(ciDefaults(env), flagsToRawInputs(options, PUBLISH_WEB_FLAGS)),
    );
    const [{ createCloudFrontClient, createS3Client }, { publishWeb }] = await Promise.all([
      import("../web/clients"),
      import("../web/publish-web"),
    ]);
    const region = {
      ...(inputs.region ? { region: inputs.region } : {}),
      readOnly: inputs["dry-run"],
    };
    await publishWeb(inputs, {
      logger: logger(),
      s3: createS3Client({ ...region, concurrency: inputs.concurrency }, env),
      cloudfront: () => createCloudFrontClient(region),
    });
  });
}
