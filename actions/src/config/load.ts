import { open } from "node:fs/promises";
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
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library's own guard against alias expansion (it throws a ReferenceError).
    throw new ConfigurationError(
      `${file}: not a configuration file: ${(error as Error).message} (at most ${MAX_ALIAS_COUNT} alias expansions)`,
      { cause: error },
    );
  }
  const result = configSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new ConfigurationError(
    result.error.issues
      .map((issue) => {
        // A bad key is shown quoted in the message, not spliced into the path.
        const path = (issue.code === "invalid_key" ? issue.path.slice(0, -1) : issue.path).map(
          String,
        );
        const line = lineOf(document, lines, path);
        return `${file}${line ? `:${line}` : ""}: ${path.join(".") || "(top level)"}: ${describeIssue(issue, document.getIn(path))}`;
      })
      .join("\n"),
  );
}

/** A configuration file is a page of settings; anything bigger is a mistake (or an attack). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * YAML aliases may repeat a node many times over (a "billion laughs" file expands to gigabytes
 * from a few lines); a configuration file needs few, if any.
 */
export const MAX_ALIAS_COUNT = 100;

export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<ShiplineConfig> {
  return parseConfig(await readConfigText(file), file);
}

/** The file's text, refused before it is read whole when it is too big, and checked as UTF-8. */
async function readConfigText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    const handle = await open(file, "r");
    try {
      // Reads one byte past the limit at most: the size of a pipe or device is not known ahead.
      const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      bytes = buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      code === "ENOENT"
        ? `configuration file ${quote(file)} does not exist (create it, or pass --config)`
        : `configuration file ${quote(file)} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new ConfigurationError(
      `configuration file ${quote(file)} is larger than ${MAX_CONFIG_BYTES / 1024} KiB: is it the right file?`,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigurationError(`configuration file ${quote(file)} is not UTF-8 text`);
  }
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
  if (issue.code === "invalid_key") {
    // A record's key (a container's or an environment's name) broke its rule: say which rule.
    const rule = issue.issues[0]?.message ?? issue.message;
    return `key ${quote(issue.path.at(-1))}: ${rule}`;
  }
  if (issue.code === "invalid_type" && actual === undefined) {
    return `is required (${issue.expected})`;
  }
  const got = actual === undefined || isNode(actual) ? "" : `, got ${quote(actual)}`;
  return `${issue.message}${got}`;
}
