import { checkReleaseId } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  duration,
  type InputsOf,
  inputSchema,
  list,
  optionalText,
  parseInputs,
  type RawInputs,
} from "../lib/inputs";
import { INVALIDATE } from "./invalidate-declaration";
import { userInvalidationPath } from "./invalidation-paths";
import { MAX_FILE_PATHS, MAX_WILDCARD_PATHS } from "./invalidation-plan";

/** The inputs of `shipline invalidate`: explicit paths on one or more distributions. */
export const invalidateSchema = inputSchema(
  declaredShape(INVALIDATE.inputs, {
    "distribution-id": list(),
    paths: list(),
    "release-id": optionalText(),
    revision: optionalText(),
    wait: boolean(false),
    "wait-timeout": duration(10 * 60_000),
    region: optionalText(),
  }),
);

export type InvalidateInputs = InputsOf<typeof invalidateSchema>;

export function parseInvalidateInputs(raw: RawInputs): InvalidateInputs {
  const parsed = parseInputs(invalidateSchema, raw);
  const problems: string[] = [];
  if (parsed["distribution-id"].length === 0) problems.push('input "distribution-id" is required');
  if (parsed.paths.length === 0) problems.push('input "paths" is required (e.g. "/index.html")');
  const bad = parsed.paths.filter(
    (path) => !path.startsWith("/") || path.slice(0, -1).includes("*"),
  );
  if (bad.length > 0) {
    problems.push(
      `input "paths" ${bad.map((path) => quote(path)).join(", ")}: a path starts with "/" and may end with one "*"`,
    );
  }
  const wildcards = parsed.paths.filter((path) => path.endsWith("*")).length;
  if (parsed.paths.length - wildcards > MAX_FILE_PATHS || wildcards > MAX_WILDCARD_PATHS) {
    problems.push(
      `input "paths" has ${parsed.paths.length - wildcards} paths and ${wildcards} wildcards; CloudFront takes at most ${MAX_FILE_PATHS} and ${MAX_WILDCARD_PATHS} in progress`,
    );
  }
  const id = parsed["release-id"] ?? parsed.revision;
  if (id !== undefined) {
    try {
      checkReleaseId(id);
    } catch (error) {
      problems.push(`input "release-id" ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join("\n"));
  // Sent the way CloudFront matches them: "/café x.html" and "/caf%C3%A9%20x.html" are one path.
  return { ...parsed, paths: [...new Set(parsed.paths.map(userInvalidationPath))].sort() };
}
