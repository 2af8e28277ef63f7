import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { DEPLOY, ROLLBACK } from "../release/declarations";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const DEPLOY_FLAGS: FlagSpec[] = flagsOf(DEPLOY);

const ROLLBACK_FLAGS: FlagSpec[] = flagsOf(ROLLBACK);

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
