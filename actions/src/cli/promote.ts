import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { addFlags, type FlagSpec, flagsToRawInputs } from "./options";

export const PROMOTE_FLAGS: FlagSpec[] = [
  { name: "repository", description: "ECR repository, e.g. shipline/api" },
  { name: "digest", description: "the image to tag: sha256:…" },
  { name: "tags", description: "tag to give it", repeatable: true },
  { name: "region", description: "AWS region (default: the SDK's, e.g. AWS_REGION)" },
];

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
