import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  inputSchema,
  list,
  optionalText,
  parsedWith,
  parseInputs,
  type RawInputs,
} from "../lib/inputs";
import { DIGEST_PATTERN } from "../oci/digest-pattern";
import { parseRepositoryName, parseTag } from "../oci/reference";
import { PROMOTE_IMAGE } from "./promote-declaration";

function parseDigest(text: string): string {
  if (!DIGEST_PATTERN.test(text)) {
    throw new ConfigurationError(`digest ${quote(text)} is not sha256:<64 lowercase hex>`);
  }
  return text;
}

/** The inputs of promote-image, named as in actions/promote-image/action.yml. */
export const promoteImageSchema = inputSchema(
  declaredShape(PROMOTE_IMAGE.inputs, {
    repository: parsedWith(parseRepositoryName),
    digest: parsedWith(parseDigest),
    tags: list(),
    region: optionalText(),
  }),
);

export interface PromoteImageInputs {
  repository: string;
  digest: string;
  tags: string[];
  region?: string;
}

export function parsePromoteImageInputs(raw: RawInputs): PromoteImageInputs {
  const parsed = parseInputs(promoteImageSchema, raw);
  if (parsed.tags.length === 0)
    throw new ConfigurationError('input "tags" is required (at least one tag)');
  const problems: string[] = [];
  for (const tag of parsed.tags) {
    try {
      parseTag(tag);
    } catch (error) {
      problems.push(`input "tags" ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  return {
    ...parsed,
    tags: [...new Set(parsed.tags)],
    ...(parsed.region ? { region: parsed.region } : {}),
  };
}
