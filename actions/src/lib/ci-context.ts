import type { RawInputs } from "./inputs";

/**
 * Defaults that CI systems already know: the commit (revision), the repository URL (source) and
 * SOURCE_DATE_EPOCH. Given to the input parser as the lowest layer, so inputs and flags win.
 * GitHub Actions and CircleCI variable names; nothing is read when neither is present.
 */
export function ciDefaults(env: NodeJS.ProcessEnv): RawInputs {
  const defaults: RawInputs = {};
  const revision = env.GITHUB_SHA ?? env.CIRCLE_SHA1;
  if (revision) defaults.revision = revision;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) {
    defaults["source-url"] = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
  } else if (env.CIRCLE_REPOSITORY_URL) {
    defaults["source-url"] = env.CIRCLE_REPOSITORY_URL;
  }
  if (env.SOURCE_DATE_EPOCH) defaults["source-date-epoch"] = env.SOURCE_DATE_EPOCH;
  return defaults;
}

/** Layers raw inputs: later layers win, but only with non-empty values. */
export function mergeRawInputs(...layers: RawInputs[]): RawInputs {
  const merged: RawInputs = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined && value.trim() !== "") merged[key] = value;
    }
  }
  return merged;
}
