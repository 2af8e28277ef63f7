/**
 * The one declaration of a unit's inputs and outputs (an action, a CLI command). The action.yml
 * `inputs:`/`outputs:`, the CLI flags and the README tables are generated from it
 * (scripts/write-declarations.ts, checked fresh by the tests); each unit's input schema binds
 * one parser to every declared name (see `declaredShape`). This file loads nothing: the CLI builds
 * its flags from declarations before any input is validated.
 */

/** How an input appears on the command line; absent: a flag taking one value. */
export interface CliFlag {
  /** A yes/no switch: `--dry-run` means "true". */
  switch?: true;
  /** Each use adds a line (lists, KEY=VALUE lines). */
  repeatable?: true;
}

export interface InputDeclaration {
  /** One or more sentences, shown in action.yml, `--help` and the docs. */
  description: string;
  /**
   * The default as a user would write it. A test checks that the parser returns the same value
   * for "not given" as for this text, so the docs never lie about it.
   */
  default?: string;
  /** The action fails when it is not given (action.yml `required: true`). */
  required?: true;
  /** false: an action input only (e.g. a secret the CLI reads from the environment). */
  cli?: CliFlag | false;
  /** false: a CLI flag only. */
  action?: false;
  /** Where the configuration file sets it (e.g. "gate.timeout"), for units that read the file. */
  config?: string;
}

export type InputDeclarations = Record<string, InputDeclaration>;

/** Old input names that still work, mapped to the name that replaced them. */
export type DeprecatedNames = Record<string, string>;

export interface UnitDeclaration<I extends InputDeclarations = InputDeclarations> {
  /** The folder of its GitHub Action under actions/, when it has one. */
  action?: string;
  /** The `shipline` subcommand, when it has one. */
  command?: string;
  inputs: I;
  /** Outputs the action sets (name → description); a test checks nothing else is set. */
  outputs?: Record<string, string>;
  deprecated?: DeprecatedNames;
  /**
   * The unit reads the configuration file, where omitted inputs come from: action.yml then
   * declares no `default:` for an input the file can set (it would always win over the file);
   * the docs show it instead.
   */
  readsConfig?: true;
}

/** Declares a unit, keeping the literal input names in its type for `declaredShape`. */
export function declareUnit<const I extends InputDeclarations>(
  unit: UnitDeclaration<I>,
): UnitDeclaration<I> {
  return unit;
}

/**
 * A schema shape with exactly one parser per declared input: a declared name without a parser,
 * or a parser for a name not declared, does not compile.
 */
export function declaredShape<I extends InputDeclarations, S extends { [K in keyof I]: unknown }>(
  _inputs: I,
  shape: S & Record<Exclude<keyof S, keyof I>, never>,
): S {
  return shape;
}

/**
 * Raw inputs with each deprecated name's value moved to the input that replaced it (unless that
 * one was given too), so every reader of the unit's raw inputs accepts the old names.
 */
export function withCurrentNames(
  raw: Record<string, string | undefined>,
  deprecated: DeprecatedNames = {},
): Record<string, string | undefined> {
  const result = { ...raw };
  for (const [old, replacedBy] of Object.entries(deprecated)) {
    const value = result[old];
    delete result[old];
    if (value?.trim() && !result[replacedBy]?.trim()) result[replacedBy] = value;
  }
  return result;
}
