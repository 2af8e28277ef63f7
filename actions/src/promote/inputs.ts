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
  return parsed;
}
