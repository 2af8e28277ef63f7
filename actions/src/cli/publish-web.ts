import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { publishWebInputs } from "./command-inputs";
import { addFlags } from "./options";

export function publishWebCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("publish-web")
    .description(
      "publish a built SPA to S3 (only what changed, entry points last) and invalidate CloudFront",
    );
  addFlags(command, publishWebInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await publishWebInputs.read(options, env);
    const [{ createCloudFrontClient, createKeyValueStoreClient, createS3Client }, { publishWeb }] =
      await Promise.all([import("../web/clients"), import("../web/publish-web")]);
    const region = {
      ...(inputs.region ? { region: inputs.region } : {}),
      readOnly: inputs["dry-run"],
    };
    await publishWeb(inputs, {
      logger: logger(),
      s3: createS3Client({ ...region, concurrency: inputs.concurrency }, env),
      cloudfront: () => createCloudFrontClient(region),
      keyValueStore: () => createKeyValueStoreClient(region),
    });
  });
}
