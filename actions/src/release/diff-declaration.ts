import { declareUnit } from "../lib/declaration";
import { DEPLOY, LEDGER_INPUTS, SERVICE_INPUTS } from "./declarations";

/**
 * `shipline diff`: what a deploy of the environment would change in its service's task
 * definition. The inputs that shape the new revision, as deploy declares them.
 */
export const DIFF = declareUnit({
  command: "diff",
  readsConfig: true,
  inputs: {
    config: LEDGER_INPUTS.config,
    environment: LEDGER_INPUTS.environment,
    region: LEDGER_INPUTS.region,
    ...SERVICE_INPUTS,
    containers: DEPLOY.inputs.containers,
    images: DEPLOY.inputs.images,
    "release-env": DEPLOY.inputs["release-env"],
    "container-env": DEPLOY.inputs["container-env"],
    "task-definition": DEPLOY.inputs["task-definition"],
    "release-id": DEPLOY.inputs["release-id"],
  },
});
