import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger } from "../lib/github-logger";
import type { Logger } from "../lib/logger";
import { run } from "../lib/run";
import { parsePublishWebInputs, publishWebSchema } from "../web/inputs";

/** The publish-web GitHub Action: action.yml inputs → typed Inputs → publishWeb → outputs. */
export function publishWebAction(
  logger: Logger = new GitHubLogger(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return run(async () => {
    const inputs = parsePublishWebInputs(
      mergeRawInputs(ciDefaults(env), readActionInputs(publishWebSchema)),
    );
    // The SDK loads only once the inputs are known to be good.
    const [{ createCloudFrontClient, createKeyValueStoreClient, createS3Client }, { publishWeb }] =
      await Promise.all([import("../web/clients"), import("../web/publish-web")]);
    const region = {
      ...(inputs.region ? { region: inputs.region } : {}),
      readOnly: inputs["dry-run"],
    };
    await publishWeb(inputs, {
      logger,
      s3: createS3Client({ ...region, concurrency: inputs.concurrency }, env),
      cloudfront: () => createCloudFrontClient(region),
      keyValueStore: () => createKeyValueStoreClient(region),
    });
  }, logger);
}
