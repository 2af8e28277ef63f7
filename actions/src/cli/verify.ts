import type { Command } from "commander";
import type { Logger } from "../lib/logger";
import { VERIFY } from "../verify/declaration";
import { addFlags, type FlagSpec, flagsOf, flagsToRawInputs } from "./options";

const VERIFY_FLAGS: FlagSpec[] = flagsOf(VERIFY);

export function verifyCommand(
  program: Command,
  logger: () => Logger,
  env: NodeJS.ProcessEnv,
): void {
  const command = program
    .command("verify")
    .description(
      "run an environment's smoke checks (verify: in shipline.yml) against its URL: exit 0 pass, 1 fail",
    );
  addFlags(command, VERIFY_FLAGS).action(async (options: Record<string, unknown>) => {
    const [{ environmentRawInputs }, { parseVerifyInputs }] = await Promise.all([
      import("../config/resolve"),
      import("../verify/inputs"),
    ]);
    const raw = await environmentRawInputs(flagsToRawInputs(options, VERIFY_FLAGS), env);
    const inputs = parseVerifyInputs({
      config: raw.config,
      environment: raw.environment,
      url: raw.url,
    });
    const [{ loadConfig }, { runVerify }] = await Promise.all([
      import("../config/load"),
      import("../verify/verify"),
    ]);
    const config = inputs.config ? await loadConfig(inputs.config) : undefined;
    await runVerify(inputs, config, inputs.config, { logger: logger() });
  });
}
