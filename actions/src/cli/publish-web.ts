import type { Command } from "commander";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { Logger } from "../lib/logger";
import { PUBLISH_WEB } from "../web/publish-declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const PUBLISH_WEB_FLAGS: FlagSpec[] = flagsOf(PUBLISH_WEB);

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
  addFlags(command, PUBLISH_WEB_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const { parsePublishWebInputs } = await import("../web/inputs");
    const inputs = parsePublishWebInputs(
      mergeRawInputs(ciDefaults(env), flagsToRawInputs(options, PUBLISH_WEB_FLAGS)),
    );
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
