import { declareUnit } from "../lib/declaration";
import { GATE_INPUTS } from "../release/declarations";
import { DELIVERY_INPUTS } from "../strategy/declaration";

/**
 * deploy-service: one ECS service rolled to new images, gated on its load balancer. The gate's
 * inputs are named and described as deploy's; the old names still work, with a warning.
 */
export const DEPLOY_SERVICE = declareUnit({
  action: "deploy-service",
  command: "deploy-service",
  deprecated: {
    "poll-interval": "gate-interval",
    timeout: "gate-timeout",
    grace: "grace-period",
  },
  inputs: {
    cluster: {
      description: "ECS cluster name or ARN.",
      required: true,
    },
    service: {
      description: "ECS service name. It must exist; shipline never creates it.",
      required: true,
    },
    images: {
      description:
        "New images, one per line: container=registry/repository@sha256:... (by digest, as build-image outputs it). Containers not named keep their image.",
      cli: { repeatable: true },
    },
    environment: {
      description:
        "Environment variables of the new revision, one per line: container:NAME=value (set or replaced; the others are kept).",
      cli: { repeatable: true },
    },
    "migration-command": {
      description:
        "Command run once before the service is updated (RunTask with the new revision, in the service's network), as a JSON array or words. A non-zero exit stops the rollout.",
    },
    "migration-container": {
      description: "Container that runs the migration. Default is the first container in images.",
    },
    "migration-timeout": {
      description: "How long the migration may run.",
      default: "10m",
    },
    ...GATE_INPUTS,
    ...DELIVERY_INPUTS,
    "rollback-timeout": {
      description: "Hard limit for the rollback's gate. Default is gate-timeout.",
    },
    rollback: {
      description: "Roll back to the definition that was running when the gate fails.",
      default: "true",
    },
    "wait-for-rollback": {
      description: "Gate the rollback the same way (otherwise start it and fail at once).",
      default: "true",
    },
    "keep-revisions": {
      description:
        "After a successful rollout, deregister revisions of the family beyond the newest N (never the running one or the rollback target). 0 keeps all.",
      default: "0",
    },
    commit: {
      description:
        "Commit the new revision is tagged with (shipline:commit). Default is the workflow's commit.",
    },
    tags: {
      description: "KEY=VALUE lines, extra tags of the new revision.",
      cli: { repeatable: true },
    },
    region: {
      description:
        "AWS region. Default is the SDK's (AWS_REGION, as set by configure-aws-credentials).",
    },
    "dry-run": {
      description: "Run the pre-flight checks and show the change; change nothing.",
      default: "false",
      cli: { switch: true },
    },
  },
  outputs: {
    "task-definition-arn":
      "The task definition the service was rolled to (unchanged when nothing changed).",
    "previous-task-definition-arn":
      "The task definition that was running before (the rollback target).",
    "deployment-id": "The ECS deployment of the rollout (empty when nothing was rolled out).",
    verdict:
      "passed, unchanged, planned, migration-failed, or why the gate failed: target-unhealthy, task-failed, rollout-failed, rolled-back-by-ecs, deployment-gone, superseded, timed-out, analysis-failed, alarm.",
    "rolled-back": "true when the service was returned to the previous task definition.",
    registered: "true when a new task definition revision was registered.",
    duration: "Seconds the step took.",
  },
});
