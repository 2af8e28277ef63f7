import * as z from "zod";
import { configSchema } from "./schema";

export const SCHEMA_FILE = "shipline.schema.json";
export const SCHEMA_ID = "https://shipline.dev/shipline.schema.json";

/**
 * The JSON Schema of `shipline.yml`, generated from the zod schema so the two never disagree.
 * Editors use it through `# yaml-language-server: $schema=./actions/shipline.schema.json`.
 * Input shapes: a duration may be written as text or a number, defaults are optional.
 */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, $id: SCHEMA_ID, title: "shipline configuration" }, null, 2)}\n`;
}
