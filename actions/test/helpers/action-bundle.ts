import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "./fixtures";

export interface ActionManifest {
  inputs?: Record<string, unknown>;
  runs: { using: string; main: string };
}

export async function readActionManifest(action: string): Promise<ActionManifest> {
  const file = join(REPO_ROOT, "actions", action, "action.yml");
  return parse(await readFile(file, "utf8")) as ActionManifest;
}

/** The committed script GitHub runs for an action: its action.yml's `runs.main`, resolved. */
export async function actionMain(action: string): Promise<string> {
  const manifest = await readActionManifest(action);
  return join(dirname(join(REPO_ROOT, "actions", action, "action.yml")), manifest.runs.main);
}
