import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { deployInputs, rollbackInputs } from "./command-inputs";
import { addFlags } from "./options";

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
  addFlags(command, deployInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await deployInputs.read(options, env);
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
  addFlags(command, rollbackInputs.flags).action(async (options: Record<string, unknown>) => {
    const inputs = await rollbackInputs.read(options, env);
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
