import { z } from "zod";
import {
  integer,
  optionalText,
  parseInputs,
  type RawInputs,
  text,
  textWithDefault,
} from "../lib/inputs";
import { DEFAULT_LEDGER_PREFIX, normalizePrefix } from "../web/ledger-keys";

/** Inputs every command on an environment's ledger shares (keys as in the config file). */
export const ledgerShape = {
  config: optionalText(),
  environment: text(),
  bucket: text(),
  "ledger-prefix": textWithDefault(DEFAULT_LEDGER_PREFIX),
  region: optionalText(),
};

export const historySchema = z.object({
  ...ledgerShape,
  limit: integer(20, { min: 1, max: 1000 }),
});

export type HistoryInputs = z.output<typeof historySchema>;

export function parseHistoryInputs(raw: RawInputs): HistoryInputs {
  const parsed = parseInputs(historySchema, raw);
  return { ...parsed, "ledger-prefix": normalizePrefix(parsed["ledger-prefix"], "ledger-prefix") };
}
