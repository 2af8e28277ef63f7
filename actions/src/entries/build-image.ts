import { ECRClient } from "@aws-sdk/client-ecr";
import { buildImage } from "../images/build-image";
import { buildImageSchema, parseBuildImageInputs } from "../images/inputs";
import { createClient } from "../lib/aws";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
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
