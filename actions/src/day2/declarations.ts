import { declareUnit, type InputDeclarations } from "../lib/declaration";
import { GATE_INPUTS, LEDGER_INPUTS, SERVICE_INPUTS } from "../release/declarations";

/**
 * The everyday commands on a running environment (redeploy, scale, run, logs). They read the
 * configuration file's environment like the release commands, so omitted inputs come from there.
 */

/** Where the service is, for the commands that only read it or start a task beside it. */
const WHERE = {
  config: LEDGER_INPUTS.config,
  environment: LEDGER_INPUTS.environment,
  region: LEDGER_INPUTS.region,
  ...SERVICE_INPUTS,
} satisfies InputDeclarations;

/** Commands that change the service: gated, under the environment's lock, in the ledger. */
const CHANGE_INPUTS = {
  ...LEDGER_INPUTS,
  ...SERVICE_INPUTS,
  ...GATE_INPUTS,
  "lock-ttl": {
    description: "After this long a lock left by a crashed run may be taken over.",
    default: "30m",
    config: "lock-ttl",
  },
  "dry-run": {
    description:
      "Check every input and the environment, print what would change, and change nothing: no lock, no record (true or false).",
    default: "false",
    cli: { switch: true },
  },
} satisfies InputDeclarations;

export const REDEPLOY = declareUnit({
  command: "redeploy",
  readsConfig: true,
  inputs: CHANGE_INPUTS,
});

export const SCALE = declareUnit({
  command: "scale",
  readsConfig: true,
  inputs: {
    ...CHANGE_INPUTS,
    count: {
      description:
        "The number of tasks the service keeps running, 0 to 5000 (ECS's limit per service). Required.",
    },
  },
});

export const RUN = declareUnit({
  command: "run",
  readsConfig: true,
  inputs: {
    ...WHERE,
    container: {
      description:
        "The container whose command is replaced. Default the one the load balancer sends traffic to, else the first essential one.",
    },
    timeout: {
      description:
        "How long the task may run; past it the task is stopped and the command exits 3.",
      default: "30m",
    },
    "dry-run": {
      description: "Print the task that would start and start nothing (true or false).",
      default: "false",
      cli: { switch: true },
    },
  },
});

export const LOGS = declareUnit({
  command: "logs",
  readsConfig: true,
  inputs: {
    ...WHERE,
    since: {
      description: "How far back to start, e.g. 10m, 2h.",
      default: "10m",
    },
    follow: {
      description: "Keep printing new lines until Ctrl-C (true or false).",
      default: "false",
      cli: { switch: true },
    },
    container: { description: "Only this container's lines. Default every container." },
  },
});
