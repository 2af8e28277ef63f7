import * as z from "zod/mini";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import { boolean, optionalText, parseInputs, type RawInputs, text } from "../lib/inputs";
import { PROMOTE_RELEASE } from "./declaration";

export const promoteReleaseSchema = z.object(
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

export type PromoteReleaseInputs = z.output<typeof promoteReleaseSchema>;

export function parsePromoteReleaseInputs(raw: RawInputs): PromoteReleaseInputs {
  const parsed = parseInputs(promoteReleaseSchema, raw);
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
