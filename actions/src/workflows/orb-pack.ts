import { parse, stringify } from "yaml";

/** The folders of an unpacked orb whose files become keys of the packed orb, by file name. */
const SECTIONS = ["commands", "jobs", "executors", "examples"] as const;

/**
 * Packs an unpacked orb (path under the orb folder → YAML text) into one orb document, as
 * CircleCI's orb pack does: @orb.yml is the root, and each `<section>/<name>.yml` becomes
 * `<section>.<name>`.
 */
export function packOrb(files: Record<string, string>): {
  orb: Record<string, unknown>;
  text: string;
} {
  const root = files["@orb.yml"];
  if (root === undefined) throw new Error("an unpacked orb has an @orb.yml at its top");
  const orb = (parse(root) ?? {}) as Record<string, unknown>;
  for (const [path, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const match = /^([a-z]+)\/([a-z][a-z0-9_-]*)\.ya?ml$/.exec(path);
    if (!match) {
      if (path !== "@orb.yml") throw new Error(`${path}: not a file of an unpacked orb`);
      continue;
    }
    const [, section = "", name = ""] = match;
    if (!(SECTIONS as readonly string[]).includes(section)) {
      throw new Error(`${path}: ${section}/ is not a section of an orb (${SECTIONS.join(", ")})`);
    }
    const entries = (orb[section] ?? {}) as Record<string, unknown>;
    if (name in entries) throw new Error(`${path}: ${section}.${name} is defined twice`);
    entries[name] = parse(text);
    orb[section] = entries;
  }
  return { orb, text: stringify(orb, { lineWidth: 100 }) };
}
