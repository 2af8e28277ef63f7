import { declaredShape } from "../lib/declaration";
import { ConfigurationError, quote } from "../lib/errors";
import {
  type InputsOf,
  inputSchema,
  optionalText,
  parseInputs,
  type RawInputs,
  text,
} from "../lib/inputs";
import { VERIFY } from "./declaration";

export const verifyInputSchema = inputSchema(
  declaredShape(VERIFY.inputs, {
    config: optionalText(),
    environment: text(),
    url: optionalText(),
  }),
);

export type VerifyInputs = InputsOf<typeof verifyInputSchema>;

export function parseVerifyInputs(raw: RawInputs): VerifyInputs {
  const parsed = parseInputs(verifyInputSchema, raw);
  if (parsed.url !== undefined && !/^https?:\/\/[^/\s]+/.test(parsed.url)) {
    throw new ConfigurationError(
      `input "url" ${quote(parsed.url)} must be an http(s) URL like "https://www.example.com"`,
    );
  }
  return parsed;
}
