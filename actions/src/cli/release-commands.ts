import type { S3Client } from "@aws-sdk/client-s3";
import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { deployInputs, rollbackInputs } from "./command-inputs";
import { addFlags } from "./options";

/** A run outside CI gets its commit from git and a counter from the ledger (local-run.ts). */
async function localRun(
  inputs: { bucket: string; "ledger-prefix": string; environment: string; "release-id"?: string },
  s3: S3Client,
  env: NodeJS.ProcessEnv,
): Promise<NodeJS.ProcessEnv> {
  if (inputs["release-id"]) return env;
  const { localRunEnv } = await import("../release/local-run");
  return localRunEnv(env, {
    s3,
    bucket: inputs.bucket,
    ledgerPrefix: inputs["ledger-prefix"],
    environment: inputs.environment,
  });
}

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
    const deps = releaseDeps(inputs.region, logger(), env);
    await runDeploy(inputs, builds, { ...deps, env: await localRun(inputs, deps.s3, env) });
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
    const deps = releaseDeps(inputs.region, logger(), env);
    await runRollback(inputs, { ...deps, env: await localRun(inputs, deps.s3, env) });
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
    .option("--config <file>", "outside CI: the configuration file naming the ledger's bucket")
    .option("--environment <name>", "outside CI: the environment whose releases are counted")
    .action(async (options: { releaseId?: string; config?: string; environment?: string }) => {
      const { releaseIdOf, runContext } = await import("../release/record");
      const { isCiRun } = await import("../release/local-run");
      let runEnv = env;
      if (!options.releaseId && !isCiRun(env)) {
        // Outside CI the id counts the ledger's releases of the commit: read from the
        // environment's bucket when the configuration names one.
        const { environmentRawInputs } = await import("../config/resolve");
        const raw = await environmentRawInputs(
          {
            ...(options.config ? { config: options.config } : {}),
            ...(options.environment ? { environment: options.environment } : {}),
          },
          env,
        );
        if (raw.bucket && raw.environment) {
          const { createS3Client } = await import("../web/clients");
          const s3 = createS3Client(
            { ...(raw.region ? { region: raw.region } : {}), concurrency: 1, readOnly: true },
            env,
          );
          runEnv = await localRun(
            {
              bucket: raw.bucket,
              "ledger-prefix": raw["ledger-prefix"] ?? ".shipline/",
              environment: raw.environment,
            },
            s3,
            env,
          );
        }
      }
      logger().info(releaseIdOf(runContext(runEnv, Date.now()), options.releaseId));
    });
}
