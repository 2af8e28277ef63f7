import type { Command } from "commander";
import { PROMOTE_IMAGE } from "../images/promote-declaration";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

export const PROMOTE_FLAGS: FlagSpec[] = flagsOf(PROMOTE_IMAGE);

export function promoteCommand(program: Command, logger: () => Logger): void {
  const command = program
    .command("promote")
    .description("give an image already in ECR more tags, by digest (no pull, no rebuild)");
  addFlags(command, PROMOTE_FLAGS).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const { parsePromoteImageInputs } = await import("../images/promote-inputs");
    const inputs = parsePromoteImageInputs(flagsToRawInputs(options, PROMOTE_FLAGS));
    const [{ ECRClient }, { createClient }, { promoteImage, reportPromote }] = await Promise.all([
      import("@aws-sdk/client-ecr"),
      import("../lib/aws"),
      import("../images/promote"),
    ]);
    const ecr = createClient(ECRClient, inputs.region ? { region: inputs.region } : {});
    const log = logger();
    await reportPromote(await promoteImage(inputs, { ecr, logger: log }), log);
  });
}
