import { type Command, Option } from "commander";
import type { RawInputs } from "../lib/inputs";

/** How a CLI flag maps onto an input: same name as in action.yml, so docs apply to both. */
export interface FlagSpec {
  /** The input's name, also the flag's: --<name>. */
  name: string;
  description: string;
  /** Repeatable (lists, KEY=VALUE lines): each use adds a line. */
  repeatable?: boolean;
  /** A yes/no switch: `--dry-run` means "true". */
  switch?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addFlags(command: Command, flags: FlagSpec[]): Command {
  for (const flag of flags) {
    if (flag.switch) {
      command.addOption(new Option(`--${flag.name}`, flag.description));
    } else if (flag.repeatable) {
      command.addOption(
        new Option(`--${flag.name} <value>`, `${flag.description} (repeatable)`).argParser(collect),
      );
    } else {
      command.addOption(new Option(`--${flag.name} <value>`, flag.description));
    }
  }
  return command;
}

/** Commander's parsed options (camelCase) → raw inputs keyed like action.yml. */
export function flagsToRawInputs(options: Record<string, unknown>, flags: FlagSpec[]): RawInputs {
  const raw: RawInputs = {};
  for (const flag of flags) {
    const key = flag.name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const value = options[key];
    if (value === undefined) continue;
    raw[flag.name] = Array.isArray(value)
      ? value.join("\n")
      : value === true
        ? "true"
        : String(value);
  }
  return raw;
}
