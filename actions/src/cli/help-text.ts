import { shiplineProgram } from "./program";

/** Where `shipline --help` is kept for the quick path (quick.ts), relative to the repository root. */
export const TOP_HELP_FILE = "actions/src/cli/top-help.ts";

/**
 * `shipline --help` as commander writes it where stdout is not a terminal (80 columns, no
 * colours), as the source of top-help.ts.
 */
export function renderTopHelp(): string {
  const program = shiplineProgram(() => {
    throw new Error("help needs no logger");
  }, {}).configureOutput({ getOutHelpWidth: () => 80, getOutHasColors: () => false });
  return `// Generated from the commander program (cli/program.ts) by scripts/write-declarations.ts.
/** What \`shipline --help\` prints where stdout is not a terminal (see quick.ts). */
export const TOP_HELP =
  ${JSON.stringify(program.helpInformation())};
`;
}
