import { declareUnit } from "../lib/declaration";
import { PREVIEW_DOMAIN } from "../preview/declaration";
import { LEDGER_INPUTS } from "../release/declarations";

/**
 * `shipline init` and `shipline bootstrap`: a team's way in. init reads what already runs and
 * writes the configuration file; bootstrap makes the account ready for a first deploy.
 */
export const INIT = declareUnit({
  command: "init",
  inputs: {
    cluster: { description: "The ECS cluster of the service to read.", required: true },
    service: { description: "The ECS service (behind a load balancer) to read.", required: true },
    environment: {
      description: "The environment the file names it.",
      default: "production",
    },
    bucket: {
      description: "The deploy bucket (the SPA and the ledger) to write into the file.",
      required: true,
    },
    "distribution-id": {
      description: "CloudFront distributions serving the bucket, to write into the file.",
      cli: { repeatable: true },
    },
    url: { description: "The site's public base URL, to write into the file." },
    web: { description: "The built site folder, to write into the file." },
    config: { description: "The file to write.", default: "shipline.yml" },
    region: { description: "AWS region; the SDK's (AWS_REGION) when not given." },
    force: {
      description: "Replace the file when it exists.",
      default: "false",
      cli: { switch: true },
    },
    "dry-run": {
      description: "Print the file instead of writing it.",
      default: "false",
      cli: { switch: true },
    },
  },
});

export const BOOTSTRAP = declareUnit({
  command: "bootstrap",
  readsConfig: true,
  inputs: {
    ...LEDGER_INPUTS,
    containers: {
      description: "NAME=REPOSITORY lines: the ECR repositories to create or check.",
      cli: { repeatable: true },
      config: "containers",
    },
    "keep-images": {
      description: "The lifecycle policy of a repository it creates keeps this many newest images.",
      default: "100",
    },
    "distribution-id": {
      description:
        "CloudFront distributions serving the site: checked for the preview domain's alias (with preview-domain).",
      cli: { repeatable: true },
      config: "distributions",
    },
    "preview-domain": {
      ...PREVIEW_DOMAIN["preview-domain"],
      config: "preview.domain",
    },
    github: {
      description: "The GitHub repository (owner/name) whose workflows deploy: prints its roles.",
    },
    "circleci-org": {
      description: "The CircleCI organization id whose pipelines deploy: prints its roles.",
    },
    "circleci-project": {
      description: "The CircleCI project id (with circleci-org).",
    },
    "dry-run": {
      description: "Check and print what would change; change nothing.",
      default: "false",
      cli: { switch: true },
    },
  },
});
