import { ECRClient } from "@aws-sdk/client-ecr";
import {
  parsePromoteImageInputs,
  promoteImage,
  promoteImageSchema,
  reportPromote,
} from "../images/promote";
import { createClient } from "../lib/aws";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger, type Logger } from "../lib/logger";
import { run } from "../lib/run";

/** The promote-image GitHub Action: tag an image already in ECR, by digest. */
export function promoteImageAction(logger: Logger = new GitHubLogger()): Promise<ExitCode> {
  return run(async () => {
    const inputs = parsePromoteImageInputs(readActionInputs(promoteImageSchema));
    const ecr = createClient(ECRClient, inputs.region ? { region: inputs.region } : {});
    await reportPromote(await promoteImage(inputs, { ecr, logger }), logger);
  }, logger);
}
