import type { RawInputs } from "../lib/inputs";
import { releaseIdOf, runContext } from "../release/record";

/**
 * The pull request number and repository as CI systems expose them: GitHub's ref
 * `refs/pull/<n>/merge` and GITHUB_REPOSITORY, CircleCI's CIRCLE_PULL_REQUEST URL. The token
 * comes from the environment only, never from a flag.
 */
export function previewCiDefaults(env: NodeJS.ProcessEnv): RawInputs {
  const defaults: RawInputs = {};
  const fromRef = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? "")?.[1];
  const fromCircle = /\/pull\/(\d+)$/.exec(env.CIRCLE_PULL_REQUEST ?? "")?.[1];
  const pr = fromRef ?? fromCircle;
  if (pr) defaults["pull-request"] = pr;
  if (env.GITHUB_REPOSITORY) defaults.repository = env.GITHUB_REPOSITORY;
  if (env.GITHUB_TOKEN) defaults["github-token"] = env.GITHUB_TOKEN;
  return defaults;
}

/** This CI run's id (commit + run, as `shipline release-id` prints it): part of a preview's release id. */
export function previewRun(env: NodeJS.ProcessEnv, now = Date.now()): string {
  return releaseIdOf(runContext(env, now));
}
