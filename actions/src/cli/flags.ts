import type { UnitDeclaration } from "../lib/declaration";
import type { RawInputs } from "../lib/inputs";
import type { Logger } from "../lib/logger";

/*
 * A unit's flags and the raw inputs they carry, without commander: the quick rejection of bad
 * inputs (quick.ts) reads flags too, and must not load it.
 */

/** How a CLI flag maps onto an input: same name as in action.yml, so docs apply to both. */
export interface FlagSpec {
  /** The input's name, also the flag's: --<name>. */
  name: string;
  description: string;
  /** Repeatable (lists, KEY=VALUE lines): each use adds a line. */
  repeatable?: boolean;
  /** A yes/no switch: `--dry-run` means "true". */
  switch?: boolean;
  /** A deprecated name: still accepted (hidden from --help), read as this input, with a warning. */
  replacedBy?: string;
}

/** Help text of an input: its description and, when it has one, its default. */
export function flagDescription(description: string, fallback: string | undefined): string {
  return fallback === undefined ? description : `${description} (default ${fallback || '""'})`;
}

/** The flags of a unit's command, from its declaration: every input but the action-only ones. */
export function flagsOf(unit: UnitDeclaration): FlagSpec[] {
  const flags: FlagSpec[] = [];
  for (const [name, input] of Object.entries(unit.inputs)) {
    if (input.cli === false) continue;
    flags.push({
      name,
      description: flagDescription(input.description, input.default),
      ...(input.cli?.repeatable ? { repeatable: true } : {}),
      ...(input.cli?.switch ? { switch: true } : {}),
    });
  }
  for (const [name, replacedBy] of Object.entries(unit.deprecated ?? {})) {
    const target = flags.find((flag) => flag.name === replacedBy);
    if (target) flags.push({ ...target, name, replacedBy });
  }
  return flags;
}

/**
 * Commander's parsed options (camelCase) → raw inputs keyed like action.yml. A deprecated flag
 * fills the input that replaced it (unless that was given too) and says so.
 */
export function flagsToRawInputs(
  options: Record<string, unknown>,
  flags: FlagSpec[],
  logger?: Pick<Logger, "warning">,
): RawInputs {
  const raw: RawInputs = {};
  const given = flags
    .map((flag) => ({ flag, value: options[camelCase(flag.name)] }))
    .filter(({ value }) => value !== undefined)
    // Current names first, so a deprecated one never overrides them.
    .sort(
      (a, b) => Number(a.flag.replacedBy !== undefined) - Number(b.flag.replacedBy !== undefined),
    );
  for (const { flag, value } of given) {
    const name = flag.replacedBy ?? flag.name;
    if (flag.replacedBy) {
      logger?.warning(`--${flag.name} is deprecated; use --${flag.replacedBy}`);
      if (raw[name] !== undefined) continue;
    }
    raw[name] = Array.isArray(value) ? value.join("\n") : value === true ? "true" : String(value);
  }
  return raw;
}

/** The key commander gives a flag's value in a command's options: --dry-run → dryRun. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
