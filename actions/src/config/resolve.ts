import { access } from "node:fs/promises";
import { ciDefaults, mergeRawInputs } from "../lib/ci-context";
import type { RawInputs } from "../lib/inputs";
import { environmentInputs } from "./environment";
import { DEFAULT_CONFIG_FILE } from "./file-name";

export const DEFAULT_ENVIRONMENT = "production";

/**
 * The raw inputs of a command that acts on an environment, in layers where later wins:
 * the configuration file's environment → the CI system's defaults → flags or action inputs.
 * The file is the one named by `config` (or SHIPLINE_CONFIG), else `shipline.yml` when it
 * exists, else none.
 */
export async function environmentRawInputs(
  given: RawInputs,
  env: NodeJS.ProcessEnv,
): Promise<RawInputs> {
  const environment =
    given.environment?.trim() || env.SHIPLINE_ENVIRONMENT?.trim() || DEFAULT_ENVIRONMENT;
  const named = given.config?.trim() || env.SHIPLINE_CONFIG?.trim();
  const file = named || ((await exists(DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  // The YAML parser and the file's schema load only when there is a file to read.
  const fromFile = file
    ? environmentInputs(await (await import("./load")).loadConfig(file), environment, file)
    : {};
  return mergeRawInputs(fromFile, ciDefaults(env), given, { environment, config: file });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
