import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { renderTopHelp, TOP_HELP_FILE } from "../cli/help-text";
import { renderActionManifest } from "./action-manifest";
import { fillTables, inputsTable, markers } from "./tables";
import { UNITS, unitName } from "./units";

/** READMEs that hold generated tables, relative to the repository root. */
export const READMES = [
  "actions/README.md",
  "actions/publish-web/README.md",
  "actions/preview/README.md",
];

/**
 * Every file generated from the unit declarations, path (from the repository root) → content:
 * each action's action.yml, the READMEs' tables and the CLI's top-level help.
 */
export async function renderDeclaredFiles(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const unit of UNITS) {
    if (!unit.action) continue;
    const path = `actions/${unit.action}/action.yml`;
    files[path] = renderActionManifest(await readFile(join(root, path), "utf8"), unit);
  }
  const tables = new Map(UNITS.map((unit) => [unitName(unit), inputsTable(unit)]));
  for (const path of READMES) {
    files[path] = fillTables(await readFile(join(root, path), "utf8"), tables);
  }
  files[TOP_HELP_FILE] = renderTopHelp();
  return files;
}

/** Generated files whose committed content differs from what the declarations give. */
export async function staleDeclaredFiles(root: string): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, content] of Object.entries(await renderDeclaredFiles(root))) {
    const committed = await readFile(join(root, path), "utf8").catch(() => undefined);
    if (committed !== content) stale.push(path);
  }
  return stale;
}

/** Units whose table no README holds (a unit added without docs). */
export async function undocumentedUnits(root: string): Promise<string[]> {
  const texts = await Promise.all(READMES.map((path) => readFile(join(root, path), "utf8")));
  return UNITS.map(unitName).filter(
    (name) => !texts.some((text) => text.includes(markers(name).start)),
  );
}
