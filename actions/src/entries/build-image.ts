import { buildImageSchema, parseBuildImageInputs } from "../images/inputs";
import { type InputLogger, runAction } from "../lib/action-run";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";

/**
 * The build-image action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export function buildImageActionInputs(env: NodeJS.ProcessEnv, _log: InputLogger) {
  return parseBuildImageInputs(mergeRawInputs(ciDefaults(env), readActionInputs(buildImageSchema)));
}

/** The build-image GitHub Action: action.yml inputs → typed Inputs → buildImage → outputs. */
export function buildImageAction(
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => buildImageActionInputs(env, log),
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
