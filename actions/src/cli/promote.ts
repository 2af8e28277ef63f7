import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { promoteInputs } from "./command-inputs";
import { addFlags } from "./options";

export function promoteCommand(program: Command, logger: () => Logger): void {
  const command = program
    .command("promote")
    .description("give an image already in ECR more tags, by digest (no pull, no rebuild)");
  addFlags(command, promoteInputs.flags).action(async (options: Record<string, unknown>) => {
    // Each command loads its schema when it runs, and the SDK only after the inputs validate.
    const inputs = await promoteInputs.read(options, process.env);
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
