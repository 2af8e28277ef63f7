import { readFile, stat } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { ConfigurationError, quote } from "../lib/errors";
import { checkTaskDefinition } from "./check";
import type { TaskDefinitionFile } from "./model";

/** A task definition is a page or two; anything bigger is the wrong file. */
const MAX_BYTES = 1024 * 1024;

/** Few, if any, aliases: a file that expands a node many times over is refused. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses a task definition file's text (JSON or YAML: JSON is read as the YAML it also is) and
 * checks it. Every problem is reported at once as `<file>: <JSON path>: <what is wrong>`.
 */
export function parseTaskDefinitionFile(text: string, path: string): TaskDefinitionFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigurationError(
      document.errors
        .map((error) => {
          const line = lines.linePos(error.pos[0]).line;
          return `task definition file ${path}${line ? `:${line}` : ""}: not valid JSON or YAML: ${error.message.split("\n")[0]}`;
        })
        .join("\n"),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigurationError(
      `task definition file ${path}: ${(error as Error).message} (at most ${MAX_ALIAS_COUNT} alias expansions)`,
      { cause: error },
    );
  }
  const { problems, body } = checkTaskDefinition(value);
  if (!body) {
    throw new ConfigurationError(
      problems.map((problem) => `task definition file ${path}: ${problem}`).join("\n"),
    );
  }
  return { path, body };
}

export async function loadTaskDefinitionFile(path: string): Promise<TaskDefinitionFile> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_BYTES) {
      throw new ConfigurationError(
        `task definition file ${quote(path)} is larger than ${MAX_BYTES / 1024} KiB: is it the right file?`,
      );
    }
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(path));
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      code === "ENOENT"
        ? `task definition file ${quote(path)} does not exist (the input task-definition, or task-definition in the configuration file, names it relative to the working directory)`
        : `task definition file ${quote(path)} cannot be read as UTF-8 text: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseTaskDefinitionFile(text, path);
}
