import { type InputLogger, runAction } from "../lib/action-run";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";
import { parsePublishWebInputs, publishWebSchema } from "../web/inputs";

/**
 * The publish-web action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export function publishWebActionInputs(env: NodeJS.ProcessEnv, _log: InputLogger) {
  return parsePublishWebInputs(mergeRawInputs(ciDefaults(env), readActionInputs(publishWebSchema)));
}

/** The publish-web GitHub Action: action.yml inputs → typed Inputs → publishWeb → outputs. */
export function publishWebAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => publishWebActionInputs(env, log),
    async (inputs, logger) => {
      // The SDK loads only once the inputs are known to be good.
      const [
        { createCloudFrontClient, createKeyValueStoreClient, createS3Client },
        { publishWeb },
      ] = await Promise.all([import("../web/clients"), import("../web/publish-web")]);
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
    },
  );
}
