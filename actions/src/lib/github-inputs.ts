import type { DeprecatedNames } from "./declaration";
import { type InputSchema, inputNames, type RawInputs } from "./inputs";
import type { Logger } from "./logger";
import { actionInput } from "./workflow-commands";

/**
 * Reads every input a schema declares from the GitHub Action's environment, as raw strings.
 * A deprecated name fills the input that replaced it when that one is not given, with a warning.
 */
export function readActionInputs(
  schema: InputSchema,
  deprecated: DeprecatedNames = {},
  logger?: Pick<Logger, "warning">,
): RawInputs {
  const raw: RawInputs = Object.fromEntries(
    inputNames(schema).map((name) => [name, actionInput(name)]),
  );
  for (const [old, replacedBy] of Object.entries(deprecated)) {
    const value = actionInput(old);
    if (!value) continue;
    logger?.warning(`input "${old}" is deprecated; use "${replacedBy}"`);
    if (!raw[replacedBy]) raw[replacedBy] = value;
  }
  return raw;
}
