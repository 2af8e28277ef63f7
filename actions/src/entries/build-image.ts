import { buildImageSchema, parseBuildImageInputs } from "../images/inputs";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger } from "../lib/github-logger";
import type { Logger } from "../lib/logger";
import { run } from "../lib/run";

/** The build-image GitHub Action: action.yml inputs → typed Inputs → buildImage → outputs. */
export function buildImageAction(
  logger: Logger = new GitHubLogger(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  return run(async () => {
    const inputs = parseBuildImageInputs(
      mergeRawInputs(ciDefaults(env), readActionInputs(buildImageSchema)),
    );
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
  }, logger);
}
