import { declareUnit, type InputDeclarations } from "../lib/declaration";
import { DELIVERY_INPUTS } from "../strategy/declaration";
import { WEB_MODE_INPUTS } from "../web/mode-declaration";
import { PUBLISH_SETTINGS } from "../web/publish-declaration";

/**
 * The release commands (deploy, rollback, history, status, unlock). They all read the
 * configuration file's environment, so omitted inputs come from there.
 */

/** Inputs of every command on an environment's ledger. */
export const LEDGER_INPUTS = {
  config: { description: "The configuration file. Default shipline.yml when it exists." },
  environment: {
    description:
      "The environment in the configuration file. Default production (or SHIPLINE_ENVIRONMENT).",
  },
  bucket: {
    description: "The deploy bucket (the SPA and the ledger).",
    config: "bucket",
  },
  "ledger-prefix": {
    description: "Reserved prefix of shipline's records in the bucket.",
    default: ".shipline/",
    config: "ledger-prefix (top level)",
  },
  region: {
    description: "AWS region; the SDK's (AWS_REGION) when the configuration file sets none.",
    config: "region",
  },
} satisfies InputDeclarations;

export const SERVICE_INPUTS = {
  cluster: {
    description: "The ECS cluster.",
    config: "cluster",
  },
  service: {
    description: "The ECS service.",
    config: "service",
  },
} satisfies InputDeclarations;

/** A release of several services (deploy, rollback, status); `service` is the one-service shorthand. */
export const SERVICES_INPUT = {
  services: {
    description:
      "KEY=SERVICE lines (optionally followed by cluster=NAME, task-definition=PATH and its own strategy=canary:10%:5m, bake-time=, alternate-target-group=, production-listener-rule=, test-listener-rule=, load-balancer-role=, alarms=a,b): the ECS services a release rolls together, instead of service.",
    cli: { repeatable: true },
    config: "services",
  },
} satisfies InputDeclarations;

/** The rollout gate, as deploy-service names it too. */
export const GATE_INPUTS = {
  "gate-timeout": {
    description:
      "Hard limit of the rollout gate; it is always honoured. Also bounds the wait, before the service is changed, for a deployment ECS has not finished (e.g. the rollback of a cancelled run).",
    default: "15m",
    config: "gate.timeout",
  },
  "gate-interval": {
    description: "Time between polls of the new tasks and their targets.",
    default: "5s",
    config: "gate.interval",
  },
  "healthy-polls": {
    description:
      "Consecutive polls with every new task RUNNING and every target healthy needed to pass.",
    default: "3",
    config: "gate.healthy-polls",
  },
  "grace-period": {
    description:
      "Unhealthy targets within this time of a task's start are not yet a failure. Default is the service's health check grace period.",
    config: "gate.grace-period",
  },
} satisfies InputDeclarations;

const DRY_RUN = {
  description:
    "Print the plan (every input checked) and change nothing, no lock and no record (true or false).",
  default: "false",
  cli: { switch: true },
} as const;

/** Settings deploy and rollback share (service gate, web, lock). */
const RELEASE_INPUTS = {
  ...LEDGER_INPUTS,
  ...SERVICE_INPUTS,
  ...SERVICES_INPUT,
  "distribution-id": {
    description: "CloudFront distributions to invalidate, one per line or comma separated.",
    cli: { repeatable: true },
    config: "distributions",
  },
  url: { description: "The site's public base URL.", config: "url" },
  "web-mode": { ...WEB_MODE_INPUTS["web-mode"], config: "web.mode" },
  "key-value-store": { ...WEB_MODE_INPUTS["key-value-store"], config: "web.key-value-store" },
  "edge-function": { ...WEB_MODE_INPUTS["edge-function"], config: "web.edge-function" },
  ...GATE_INPUTS,
  "keep-releases": {
    description: "Earlier web releases whose files are kept (old tabs, rollback).",
    default: "3",
    config: "keep-releases",
  },
  "lock-ttl": {
    description: "After this long a lock left by a crashed run may be taken over.",
    default: "30m",
    config: "lock-ttl",
  },
  "release-id": { description: "The release id. Default commit + run." },
  "wait-invalidation": {
    description: "Wait for the CloudFront invalidations to complete (true or false).",
    default: "false",
  },
  "dry-run": DRY_RUN,
} satisfies InputDeclarations;

export const DEPLOY = declareUnit({
  action: "deploy",
  command: "deploy",
  readsConfig: true,
  inputs: {
    ...RELEASE_INPUTS,
    ...DELIVERY_INPUTS,
    containers: {
      description: "NAME=REPOSITORY lines of the images to build.",
      cli: { repeatable: true },
      config: "containers",
    },
    images: {
      description:
        "container=image@sha256:... lines of images built earlier, deployed as they are.",
      cli: { repeatable: true },
    },
    source: {
      description: "The built site folder (with index.html at its top).",
      config: "web or web.source",
    },
    immutable: { ...PUBLISH_SETTINGS.immutable, config: "web.immutable" },
    "cache-control": { ...PUBLISH_SETTINGS["cache-control"], config: "web.cache-control" },
    "content-type": { ...PUBLISH_SETTINGS["content-type"], config: "web.content-type" },
    "keep-revisions": {
      description:
        "Task definition revisions to keep: those of the live release and the N live before it.",
      default: "5",
      config: "keep-revisions",
    },
    "migration-command": {
      description: "A command run with the new task definition before the service is touched.",
    },
    "release-env": {
      description:
        "container:NAME lines set to the release id in the new task definition, e.g. api:RELEASE_ID.",
      cli: { repeatable: true },
      config: "release-env",
    },
    "container-env": {
      description: "container:NAME=value lines set in the new task definition.",
      cli: { repeatable: true },
    },
    "task-definition": {
      description:
        "A task definition file (JSON or YAML, RegisterTaskDefinition's input) the new revision is made from, with the release's images by digest. Default: the running revision with the new images.",
      config: "task-definition",
    },
  },
  outputs: {
    "release-id": "The release that is live now.",
    "task-definition-arn": "The task definition the service runs now.",
    images: "container=image@digest lines of what was deployed.",
  },
});

export const ROLLBACK = declareUnit({
  action: "rollback",
  command: "rollback",
  readsConfig: true,
  inputs: {
    to: {
      description:
        'previous (the release live before the current one), release (then give "release"), or a release id.',
      default: "previous",
    },
    release: {
      description: 'The release id to return to when "to" is release (see `shipline history`).',
    },
    ...RELEASE_INPUTS,
    "release-id": { description: "The id of this rollback's own record. Default commit + run." },
  },
  outputs: {
    "release-id": "The id of this rollback's record in the ledger.",
    restored: "The release that is live again.",
    "task-definition-arn": "The task definition the service runs now.",
  },
});

export const HISTORY = declareUnit({
  command: "history",
  readsConfig: true,
  inputs: {
    ...LEDGER_INPUTS,
    limit: { description: "How many releases to show.", default: "20" },
  },
});

export const STATUS = declareUnit({
  command: "status",
  readsConfig: true,
  inputs: {
    ...LEDGER_INPUTS,
    ...SERVICE_INPUTS,
    ...SERVICES_INPUT,
    // Which release the site serves is the store's pointer in web-mode atomic.
    "web-mode": RELEASE_INPUTS["web-mode"],
    "key-value-store": RELEASE_INPUTS["key-value-store"],
    "dry-run": {
      description: "Report what would be repaired in the ledger; record nothing.",
      default: "false",
      cli: { switch: true },
    },
  },
});

export const UNLOCK = declareUnit({
  command: "unlock",
  readsConfig: true,
  inputs: {
    ...LEDGER_INPUTS,
    force: {
      description: "Remove the lock even while its holder is still renewing it.",
      default: "false",
      cli: { switch: true },
    },
    "dry-run": {
      description: "Show the holder and what would happen; remove nothing.",
      default: "false",
      cli: { switch: true },
    },
  },
});
