import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { BOOTSTRAP, INIT } from "../setup/declarations";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const INIT_FLAGS: FlagSpec[] = flagsOf(INIT);
const BOOTSTRAP_FLAGS: FlagSpec[] = flagsOf(BOOTSTRAP);

/** `shipline init` and `shipline bootstrap`: from an existing service to a first deploy. */
export function setupCommands(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const init = program
    .command("init")
    .description(
      "read a running ECS service (task definition, images, target groups) and write shipline.yml for it",
    );
  addFlags(init, INIT_FLAGS).action(async (options: Record<string, unknown>) => {
    const { parseInitInputs } = await import("../setup/inputs");
    const inputs = parseInitInputs(flagsToRawInputs(options, INIT_FLAGS));
    const [{ runInit }, { createServiceClients }] = await Promise.all([
      import("../setup/init"),
      import("../service/clients"),
    ]);
    // init only reads AWS: its clients refuse any write.
    const clients = createServiceClients({
      ...(inputs.region ? { region: inputs.region } : {}),
      readOnly: true,
    });
    await runInit(inputs, { clients, logger: logger() });
  });

  const bootstrap = program
    .command("bootstrap")
    .description(
      "create or check what a deploy needs (ECR repositories, the bucket policy keeping the ledger private) and print the CI roles; a second run changes nothing",
    );
  addFlags(bootstrap, BOOTSTRAP_FLAGS).action(async (options: Record<string, unknown>) => {
    const [{ environmentRawInputs }, { parseBootstrapInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../setup/inputs"),
    ]);
    const inputs = parseBootstrapInputs(
      await environmentRawInputs(flagsToRawInputs(options, BOOTSTRAP_FLAGS), env),
    );
    const [
      { runBootstrap },
      { createClient },
      { ECRClient },
      { STSClient },
      { createCloudFrontClient, createS3Client },
    ] = await Promise.all([
      import("../setup/bootstrap"),
      import("../lib/aws"),
      import("@aws-sdk/client-ecr"),
      import("@aws-sdk/client-sts"),
      import("../web/clients"),
    ]);
    const settings = {
      ...(inputs.region ? { region: inputs.region } : {}),
      readOnly: inputs["dry-run"],
    };
    const outcome = await runBootstrap(inputs, {
      ecr: createClient(ECRClient, settings),
      sts: createClient(STSClient, settings),
      s3: createS3Client({ ...settings, concurrency: 1 }, env),
      cloudfront: () => createCloudFrontClient(settings),
      logger: logger(),
    });
    logger().output("changes", String(outcome.changes.length));
  });
}
