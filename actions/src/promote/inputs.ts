import { mergeRawInputs } from "../lib/ci-context";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  type InputsOf,
  inputSchema,
  optionalText,
  parseInputs,
  type RawInputs,
  text,
} from "../lib/inputs";
import { PROMOTE_RELEASE } from "./declaration";

export const promoteReleaseSchema = inputSchema(
  declaredShape(PROMOTE_RELEASE.inputs, {
    config: optionalText(),
    from: text(),
    to: text(),
    release: optionalText(),
    commit: optionalText(),
    "release-id": optionalText(),
    "dry-run": boolean(false),
  }),
);

export type PromoteReleaseInputs = InputsOf<typeof promoteReleaseSchema>;

/**
 * The inputs, with "to" taken from SHIPLINE_ENVIRONMENT when it is not given: a stage that runs
 * in several environments at once has one step for all of them, each job in its own environment.
 */
export function parsePromoteReleaseInputs(
  raw: RawInputs,
  env: NodeJS.ProcessEnv = {},
): PromoteReleaseInputs {
  const fromEnvironment = env.SHIPLINE_ENVIRONMENT?.trim();
  if (!raw.to?.trim() && !fromEnvironment) {
    throw new ConfigurationError(
      'input "to" is required: the environment to ship the release to (or set SHIPLINE_ENVIRONMENT)',
    );
  }
  const parsed = parseInputs(promoteReleaseSchema, mergeRawInputs({ to: fromEnvironment }, raw));
  if (parsed.from === parsed.to) {
    throw new ConfigurationError(
      `inputs "from" and "to" are both ${quote(parsed.from)}: a release is promoted to another environment`,
    );
  }
  if (
    parsed.commit !== undefined &&
    parsed.commit !== "current" &&
    !/^[0-9a-f]{7,40}$/.test(parsed.commit)
  ) {
    throw new ConfigurationError(
      `input "commit" ${quote(parsed.commit)} must be a commit SHA (7–40 lowercase hex digits) or current`,
    );
  }
  return parsed;
}
