import { DEFAULT_LEDGER_PREFIX, normalizePrefix } from "../ledger/keys";
import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  boolean,
  type InputsOf,
  inputSchema,
  integer,
  keyValues,
  optionalText,
  parseInputs,
  type RawInputs,
  text,
  textWithDefault,
} from "../lib/inputs";
import { distributionIds } from "../web/inputs";
import { BOOTSTRAP, INIT } from "./declarations";

export const initSchema = inputSchema(
  declaredShape(INIT.inputs, {
    cluster: text(),
    service: text(),
    environment: textWithDefault("production"),
    bucket: text(),
    "distribution-id": distributionIds(),
    url: optionalText(),
    web: optionalText(),
    config: textWithDefault("shipline.yml"),
    region: optionalText(),
    force: boolean(false),
    "dry-run": boolean(false),
  }),
);

export type InitInputs = InputsOf<typeof initSchema>;

export function parseInitInputs(raw: RawInputs): InitInputs {
  return parseInputs(initSchema, raw);
}

export const bootstrapSchema = inputSchema(
  declaredShape(BOOTSTRAP.inputs, {
    config: optionalText(),
    environment: text(),
    bucket: text(),
    "ledger-prefix": textWithDefault(DEFAULT_LEDGER_PREFIX),
    region: optionalText(),
    containers: keyValues(),
    "keep-images": integer(100, { min: 1, max: 10_000 }),
    "distribution-id": distributionIds(),
    "preview-domain": optionalText(),
    github: optionalText(),
    "circleci-org": optionalText(),
    "circleci-project": optionalText(),
    "dry-run": boolean(false),
  }),
);

export type BootstrapInputs = InputsOf<typeof bootstrapSchema>;

export function parseBootstrapInputs(raw: RawInputs): BootstrapInputs {
  const parsed = parseInputs(bootstrapSchema, raw);
  if (parsed.github !== undefined && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(parsed.github)) {
    throw new ConfigurationError(
      `input "github" ${quote(parsed.github)} must be a repository like "acme/shop"`,
    );
  }
  if ((parsed["circleci-project"] !== undefined) !== (parsed["circleci-org"] !== undefined)) {
    throw new ConfigurationError(
      'inputs "circleci-org" and "circleci-project" go together: give both or neither',
    );
  }
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}
