import type { ContainerConfig } from "./types";

/**
 * Programs that, started with no arguments, are an interactive prompt (a shell or a language's
 * REPL): language base images make one their command (node's `Cmd ["node"]`, python's
 * `["python3"]`). Without a terminal such a prompt reads end-of-input and exits at once, so an
 * image whose command is only one of these runs nothing.
 */
const INTERACTIVE_PROGRAMS = new Set([
  "sh",
  "bash",
  "ash",
  "dash",
  "zsh",
  "ksh",
  "fish",
  "node",
  "nodejs",
  "deno",
  "bun",
  "python",
  "python2",
  "python3",
  "ipython",
  "ruby",
  "irb",
  "php",
  "perl",
  "lua",
  "jshell",
  "ghci",
  "erl",
  "iex",
]);

/** The command an image is given by its own build settings (undefined: the base's stays). */
export interface OwnCommand {
  cmd?: string[] | undefined;
  entrypoint?: string[] | undefined;
}

/**
 * Why an image would have no command of its own to run, or undefined when it has one. What
 * counts as a command:
 * - a `cmd` or an `entrypoint` given for the image itself;
 * - else the base's: an Entrypoint with no Cmd (the entrypoint is the program), or a Cmd that is
 *   more than a lone interactive program (`["nginx", "-g", "daemon off;"]` is a command,
 *   `["node"]` or `["/bin/bash"]` is not, whatever Entrypoint wraps it: wrapper scripts like
 *   docker-entrypoint.sh run their arguments).
 */
export function missingCommand(
  own: OwnCommand,
  base: ContainerConfig | undefined,
): string | undefined {
  if ((own.cmd?.length ?? 0) > 0 || (own.entrypoint?.length ?? 0) > 0) return undefined;
  const entrypoint = base?.Entrypoint ?? [];
  const cmd = base?.Cmd ?? [];
  if (cmd.length === 0) {
    return entrypoint.length > 0
      ? undefined
      : "it sets no cmd or entrypoint and its base image has none";
  }
  const [program = ""] = cmd;
  const name = program.slice(program.lastIndexOf("/") + 1);
  if (cmd.length === 1 && INTERACTIVE_PROGRAMS.has(name)) {
    return `it sets no cmd or entrypoint and its base image's command is only ${JSON.stringify(cmd)}, an interactive prompt that exits at once without a terminal`;
  }
  return undefined;
}
