import type { Command } from "commander";
import { whileCancellable } from "../lib/cancel";
import { mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

/** The flags of `shipline deploy-service`, named like the inputs of actions/deploy-service/action.yml. */
export const DEPLOY_SERVICE_FLAGS: FlagSpec[] = [
  { name: "cluster", description: "ECS cluster name or ARN" },
  { name: "service", description: "ECS service name" },
  {
    name: "images",
    description: "container=registry/repository@sha256:… (new image of one container)",
    repeatable: true,
  },
  {
    name: "environment",
    description: "container:NAME=value set in the new revision",
    repeatable: true,
  },
  { name: "migration-command", description: "command run before the rollout, JSON array or words" },
  {
    name: "migration-container",
    description: "container that runs it (default: the first image's)",
  },
  { name: "migration-timeout", description: "how long the migration may take (default 10m)" },
  { name: "poll-interval", description: "time between checks (default 5s)" },
  { name: "healthy-polls", description: "consecutive healthy checks needed (default 3)" },
  {
    name: "grace",
    description:
      "unhealthy targets younger than this are not failures yet (default: the service's grace period)",
  },
  { name: "timeout", description: "hard limit for the gate (default 15m)" },
  {
    name: "rollback-timeout",
    description: "hard limit for the rollback's gate (default: --timeout)",
  },
  { name: "rollback", description: "roll back on failure: true or false (default true)" },
  { name: "wait-for-rollback", description: "gate the rollback too: true or false (default true)" },
  {
    name: "keep-revisions",
    description: "deregister revisions beyond the newest N (default 0: keep all)",
  },
  {
    name: "commit",
    description: "commit to tag the revision with (default GITHUB_SHA / CIRCLE_SHA1)",
  },
  { name: "tags", description: "KEY=VALUE tag of the new revision", repeatable: true },
  { name: "region", description: "AWS region (default: the SDK's, e.g. AWS_REGION)" },
  { name: "dry-run", description: "check and show the change, change nothing", switch: true },
];

export function deployServiceCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("deploy-service")
    .description(
      "roll an ECS service to new images, gated on its load balancer's health, rolled back on failure",
    );
  addFlags(command, DEPLOY_SERVICE_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const [{ commitDefault }, { parseDeployServiceInputs }] = await Promise.all([
      import("../entries/deploy-service"),
      import("../service/inputs"),
    ]);
    const inputs = parseDeployServiceInputs(
      mergeRawInputs(commitDefault(env), flagsToRawInputs(options, DEPLOY_SERVICE_FLAGS)),
    );
    const [{ createServiceClients }, { deployService }, { reportDeployService }, { liveTable }] =
      await Promise.all([
        import("../service/clients"),
        import("../service/deploy-service"),
        import("../service/report"),
        import("../service/view"),
      ]);
    const log = logger();
    // A live table on an interactive terminal; one line per change anywhere else (CI logs).
    const live = process.stdout.isTTY === true && !env.CI;
    const result = await whileCancellable(log, (signal) =>
      deployService(inputs, {
        clients: createServiceClients({
          ...(inputs.region ? { region: inputs.region } : {}),
          readOnly: inputs.dryRun,
        }),
        logger: log,
        signal,
        ...(live ? { view: () => liveTable(process.stdout) } : {}),
      }),
    );
    await reportDeployService(result, log);
  });
}
