import type { InputLogger } from "./action-run";
import { ShiplineError } from "./errors";
import * as commands from "./workflow-commands";

/**
 * Checks a GitHub Action's inputs before anything else of it loads (see build-dist.ts: each
 * action's bundle entry). It answers only what it can answer alone: inputs it rejects are
 * reported exactly as the run itself reports them (runAction: its warnings, then one error
 * annotation, and the error's exit code). Otherwise (good inputs, or an error that is not a
 * verdict on them) it returns true and the full run follows, which reads and checks them again
 * and says the warnings itself.
 */
export async function preflightAction(
  validate: (log: InputLogger) => unknown | Promise<unknown>,
): Promise<boolean> {
  const warnings: string[] = [];
  try {
    await validate({ warning: (message) => warnings.push(message) });
    return true;
  } catch (error) {
    if (!(error instanceof ShiplineError)) return true;
    for (const warning of warnings) commands.warning(warning);
    commands.fail(error.message);
    process.exitCode = error.exitCode;
    return false;
  }
}
