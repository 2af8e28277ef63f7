import { ExitCode, ShiplineError } from "../lib/errors";
import { camelCase, type FlagSpec } from "./flags";
import { TOP_HELP } from "./top-help";

/*
 * What the CLI answers without commander and its program of twelve commands: `shipline --help`,
 * and the rejection of a command's bad inputs. Both are most of what people and scripts wait
 * for at once; loading the program took longer than Node's own start (see bench/startup).
 * Anything else, or anything these do not read plainly, goes to the program (program.ts). The
 * bundle's shipline.mjs holds only this (see build-dist.ts).
 */

/**
 * The exit code when the answer is given here; undefined when the program must run. A command
 * whose inputs are valid runs in the program, which reads them again; so does one whose check
 * ends in an error that is not a verdict on them, for the program to report.
 */
export async function quickAnswer(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<ExitCode | undefined> {
  const [name, ...args] = argv;
  if (name === undefined) return undefined;
  // commander fits its help to a terminal's width; TOP_HELP is its text for anything else.
  if ((name === "--help" || name === "-h") && args.length === 0 && !process.stdout.isTTY) {
    process.stdout.write(TOP_HELP);
    return ExitCode.Success;
  }
  const { COMMAND_INPUTS } = await import("./command-inputs");
  const command = Object.hasOwn(COMMAND_INPUTS, name) ? COMMAND_INPUTS[name] : undefined;
  const options = command && plainOptions(args, command.flags);
  if (!command || !options) return undefined;
  try {
    await command.read(options, env);
    return undefined;
  } catch (error) {
    if (!(error instanceof ShiplineError)) return undefined;
    // As run() reports it in the program: once, through the CLI's logger, with its exit code.
    const { cliLogger } = await import("./logger");
    (await cliLogger(argv, env)).fail(error.message);
    process.exitCode = error.exitCode;
    return error.exitCode;
  }
}

/**
 * A command's options as commander gives them (see flagsToRawInputs), when `args` are only its
 * flags, each at most once (repeatable ones any number of times), every value a word of its own
 * that does not start with "-". Anything else (--name=value, a deprecated name, --help, an
 * unknown flag, an argument) is undefined: commander reads it, and says what is wrong.
 */
export function plainOptions(
  args: string[],
  flags: FlagSpec[],
): Record<string, unknown> | undefined {
  const byArg = new Map(flags.map((flag) => [`--${flag.name}`, flag]));
  const options: Record<string, unknown> = {};
  for (let index = 0; index < args.length; index++) {
    const flag = byArg.get(args[index] ?? "");
    if (!flag || flag.replacedBy) return undefined;
    const key = camelCase(flag.name);
    const previous = options[key];
    if (flag.switch) {
      if (previous !== undefined) return undefined;
      options[key] = true;
      continue;
    }
    const value = args[++index];
    if (value === undefined || value.startsWith("-")) return undefined;
    if (flag.repeatable) {
      options[key] = [...((previous as string[] | undefined) ?? []), value];
    } else {
      if (previous !== undefined) return undefined;
      options[key] = value;
    }
  }
  return options;
}
