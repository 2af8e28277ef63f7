import * as core from "@actions/core";
import type * as z from "zod/mini";
import { inputNames, type RawInputs } from "./inputs";

/** Reads every input a schema declares from the GitHub Action's environment, as raw strings. */
export function readActionInputs(schema: z.ZodMiniObject): RawInputs {
  return Object.fromEntries(inputNames(schema).map((name) => [name, core.getInput(name)]));
}
