import { readFile } from "node:fs/promises";
import { isNode, LineCounter, parseDocument } from "yaml";
import type * as z from "zod";
import { ConfigurationError, quote } from "../lib/errors";
import { DEFAULT_CONFIG_FILE } from "./file-name";
import { configSchema, type ShiplineConfig } from "./schema";

/**
 * Parses the configuration file's text. Every problem is reported at once, each as
 * `<file>:<line>: <key path>: <what was expected>`, so the user can go straight to it.
 */
export function parseConfig(text: string, file: string): ShiplineConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigurationError(
      document.errors
        .map((error) => {
          const line = lines.linePos(error.pos[0]).line;
          return `${file}${line ? `:${line}` : ""}: not valid YAML: ${error.message.split("\n")[0]}`;
        })
        .join("\n"),
    );
  }
  const result = configSchema.safeParse(document.toJS() ?? {});
  if (result.success) return result.data;
  throw new ConfigurationError(
    result.error.issues
      .map((issue) => {
        const path = issue.path.map(String);
        const line = lineOf(document, lines, path);
        return `${file}${line ? `:${line}` : ""}: ${path.join(".") || "(top level)"}: ${describeIssue(issue, document.getIn(path))}`;
      })
      .join("\n"),
  );
}

export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<ShiplineConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      code === "ENOENT"
        ? `configuration file ${quote(file)} does not exist (create it, or pass --config)`
        : `configuration file ${quote(file)} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseConfig(text, file);
}

/** The line of the deepest node of `path` that exists in the document (1-based). */
function lineOf(
  document: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: string[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue, actual: unknown): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => quote(key)).join(", ")}`;
  }
  if (issue.code === "invalid_type" && actual === undefined) {
    return `is required (${issue.expected})`;
  }
  const got = actual === undefined || isNode(actual) ? "" : `, got ${quote(actual)}`;
  return `${issue.message}${got}`;
}
