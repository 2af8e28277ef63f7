import { type Command, Option } from "commander";
import type { FlagSpec } from "./flags";

export { type FlagSpec, flagDescription, flagsOf, flagsToRawInputs } from "./flags";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addFlags(command: Command, flags: FlagSpec[]): Command {
  for (const flag of flags) {
    const option = flag.switch
      ? new Option(`--${flag.name}`, flag.description)
      : flag.repeatable
        ? new Option(`--${flag.name} <value>`, `${flag.description} (repeatable)`).argParser(
            collect,
          )
        : new Option(`--${flag.name} <value>`, flag.description);
    command.addOption(flag.replacedBy ? option.hideHelp() : option);
  }
  return command;
}
