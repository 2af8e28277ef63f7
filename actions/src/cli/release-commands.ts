import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { ENVIRONMENT_FLAGS } from "./history";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

/** Flags deploy and rollback share; every one can come from the configuration file instead. */
const RELEASE_FLAGS: FlagSpec[] = [
  ...ENVIRONMENT_FLAGS,
  { name: "cluster", description: "ECS cluster" },
  { name: "service", description: "ECS service" },
  { name: "distribution-id", description: "CloudFront distribution", repeatable: true },
  { name: "url", description: "the site's public base URL" },
  { name: "gate-timeout", description: "hard limit of the rollout gate (default 15m; 30s to 12h)" },
  { name: "gate-interval", description: "time between gate polls (default 5s; 1s to 5m)" },
  { name: "healthy-polls", description: "consecutive healthy polls to pass (default 3)" },
  { name: "grace-period", description: "unhealthy targets are not yet failure within this" },
  { name: "keep-releases", description: "earlier web releases whose files are kept (default 3)" },
  {
    name: "lock-ttl",
    description: "a crashed run's lock may be taken over after this (30m; 1m to 24h)",
  },
  { name: "release-id", description: "release id (default: commit + run)" },
  { name: "wait-invalidation", description: "wait for CloudFront invalidations: true or false" },
  {
    name: "dry-run",
    description: "print the plan and change nothing (no lock, no record)",
    switch: true,
  },
];

const DEPLOY_FLAGS: FlagSpec[] = [
  ...RELEASE_FLAGS,
  { name: "containers", description: "NAME=REPOSITORY of an image to build", repeatable: true },
  {
    name: "images",
    description: "container=image@sha256:… built earlier (not rebuilt)",
    repeatable: true,
  },
  { name: "source", description: "the built SPA folder (default app-web/dist)" },
  {
    name: "keep-revisions",
    description:
      "keep the task definitions of the live release and the N live before it (default 5)",
  },
  { name: "migration-command", description: "command run with the new task definition first" },
  {
    name: "release-env",
    description: "container:NAME set to the release id (e.g. api:RELEASE_ID)",
    repeatable: true,
  },
  {
    name: "container-env",
    description: "container:NAME=value set in the new task definition",
    repeatable: true,
  },
];

const ROLLBACK_FLAGS: FlagSpec[] = [
  ...RELEASE_FLAGS,
  { name: "to", description: "previous (default), release, or a release id" },
  { name: "release", description: "the release id when --to is release" },
];

export function deployCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("deploy")
    .description(
      "ship a release: images → ECS rollout gated on the load balancer → SPA → ledger, one at a time per environment",
    );
  addFlags(command, DEPLOY_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const [{ environmentRawInputs }, { parseDeployInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../release/inputs"),
    ]);
    const raw = await environmentRawInputs(flagsToRawInputs(options, DEPLOY_FLAGS), env);
    const inputs = parseDeployInputs(raw);
    const [{ containerBuilds }, { loadConfig }, { releaseDeps }, { runDeploy }] = await Promise.all(
      [
        import("../config/environment"),
        import("../config/load"),
        import("../release/clients"),
        import("../release/commands"),
      ],
    );
    const builds = inputs.config
      ? containerBuilds(await loadConfig(inputs.config), inputs.environment)
      : {};
    await runDeploy(inputs, builds, releaseDeps(inputs.region, logger(), env));
  });
}

export function rollbackCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("rollback")
    .description(
      "return to an earlier release: its task definition (gated) and its SPA entry points; no rebuild, no upload",
    );
  addFlags(command, ROLLBACK_FLAGS).action(async (options: Record<string, unknown>) => {
    const [{ environmentRawInputs }, { parseRollbackInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../release/inputs"),
    ]);
    const raw = await environmentRawInputs(flagsToRawInputs(options, ROLLBACK_FLAGS), env);
    const inputs = parseRollbackInputs(raw);
    const [{ releaseDeps }, { runRollback }] = await Promise.all([
      import("../release/clients"),
      import("../release/commands"),
    ]);
    await runRollback(inputs, releaseDeps(inputs.region, logger(), env));
  });
}

export function releaseIdCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  program
    .command("release-id")
    .description(
      "print the release id this CI run deploys (commit + run), e.g. to build the SPA with it",
    )
    .option("--release-id <id>", "use this id instead")
    .action(async (options: { releaseId?: string }) => {
      const { releaseIdOf, runContext } = await import("../release/record");
      logger().info(releaseIdOf(runContext(env, Date.now()), options.releaseId));
    });
}
