import { parsePromoteImageInputs, promoteImageSchema } from "../images/promote-inputs";
import { type InputLogger, runAction } from "../lib/action-run";
import type { ExitCode } from "../lib/errors";
import { readActionInputs } from "../lib/github-inputs";
import type { Logger } from "../lib/logger";

/**
 * The promote-image action's inputs, read from the runner and checked: all a run that rejects
 * them does (its bundle entry checks them before it loads anything else; see build-dist.ts).
 */
export function promoteImageActionInputs(_env: NodeJS.ProcessEnv, _log: InputLogger) {
  return parsePromoteImageInputs(readActionInputs(promoteImageSchema));
}

/** The promote-image GitHub Action: tag an image already in ECR, by digest. */
export function promoteImageAction(logger?: Logger): Promise<ExitCode> {
  return runAction(
    logger,
    (log) => promoteImageActionInputs(process.env, log),
    async (inputs, logger) => {
      // The SDK loads only once the inputs are known to be good.
      const [{ ECRClient }, { createClient }, { promoteImage, reportPromote }] = await Promise.all([
        import("@aws-sdk/client-ecr"),
        import("../lib/aws"),
        import("../images/promote"),
      ]);
      const ecr = createClient(ECRClient, inputs.region ? { region: inputs.region } : {});
      await reportPromote(await promoteImage(inputs, { ecr, logger }), logger);
    },
  );
}
