import { buildImageSchema, parseBuildImageInputs } from "../images/inputs";
import { runAction } from "../lib/action-run";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";

/** The build-image GitHub Action: action.yml inputs → typed Inputs → buildImage → outputs. */
export function buildImageAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return runAction(
    logger,
    () =>
      parseBuildImageInputs(mergeRawInputs(ciDefaults(env), readActionInputs(buildImageSchema))),
    async (inputs, logger) => {
      // The SDK and the image builder load only once the inputs are known to be good.
      const [{ ECRClient }, { createClient }, { buildImage }] = await Promise.all([
        import("@aws-sdk/client-ecr"),
        import("../lib/aws"),
        import("../images/build-image"),
      ]);
      await buildImage(inputs, {
        logger,
        ecr: () =>
          createClient(ECRClient, {
            ...(inputs.region ? { region: inputs.region } : {}),
            readOnly: inputs["dry-run"],
          }),
      });
    },
  );
}
