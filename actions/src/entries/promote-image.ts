import { parsePromoteImageInputs, promoteImageSchema } from "../images/promote-inputs";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import { GitHubLogger } from "../lib/github-logger";
import type { Logger } from "../lib/logger";
import { run } from "../lib/run";

/** The promote-image GitHub Action: tag an image already in ECR, by digest. */
export function promoteImageAction(logger: Logger = new GitHubLogger()): Promise<ExitCode> {
  return run(async () => {
    const inputs = parsePromoteImageInputs(readActionInputs(promoteImageSchema));
    // The SDK loads only once the inputs are known to be good.
    const [{ ECRClient }, { createClient }, { promoteImage, reportPromote }] = await Promise.all([
      import("@aws-sdk/client-ecr"),
      import("../lib/aws"),
      import("../images/promote"),
    ]);
    const ecr = createClient(ECRClient, inputs.region ? { region: inputs.region } : {});
    await reportPromote(await promoteImage(inputs, { ecr, logger }), logger);
  }, logger);
}
