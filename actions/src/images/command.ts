import { ConfigurationError, quote } from "../lib/errors";

/** A command as a JSON array (exec form) or words separated by spaces. */
export function parseCommand(text: string): string[] {
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (
      !Array.isArray(parsed) ||
      !parsed.every((item) => typeof item === "string") ||
      parsed.length === 0
    ) {
      throw new ConfigurationError(
        `command ${quote(text)} must be a JSON array of strings, like ["node", "/app/server.mjs"]`,
      );
    }
    return parsed;
  }
  return text.split(/\s+/).filter(Boolean);
}
