import { declaredShape } from "../lib/declaration";
import {
  type InputsOf,
  inputSchema,
  keyValues,
  list,
  optionalText,
  parseInputs,
  type RawInputs,
  text,
} from "../lib/inputs";
import { DIFF } from "./diff-declaration";
import { deploySchema } from "./inputs";

export const diffSchema = inputSchema(
  declaredShape(DIFF.inputs, {
    config: optionalText(),
    environment: text(),
    region: optionalText(),
    cluster: text(),
    service: text(),
    containers: deploySchema.shape.containers,
    images: list(),
    "release-env": list(),
    "container-env": keyValues(),
    "task-definition": optionalText(),
    "release-id": optionalText(),
  }),
);

export type DiffInputs = InputsOf<typeof diffSchema>;

export function parseDiffInputs(raw: RawInputs): DiffInputs {
  return parseInputs(diffSchema, raw);
}
