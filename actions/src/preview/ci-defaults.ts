import { readFile } from "node:fs/promises";
import type { RawInputs } from "../lib/inputs";
import { releaseIdOf, runContext } from "../release/run-context";

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

/**
 * The pull request of the GitHub event that started the run, from the payload file the runner
 * writes (GITHUB_EVENT_PATH): what @actions/github's `context.payload` holds, read without
 * loading Octokit before the inputs are checked. No file (a local run) means no defaults.
 */
export async function githubEventDefaults(env: NodeJS.ProcessEnv): Promise<RawInputs> {
  if (!env.GITHUB_EVENT_PATH) return {};
  const text = await readFile(env.GITHUB_EVENT_PATH, "utf8").catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "{}";
      throw error;
    },
  );
  const payload = JSON.parse(text) as { pull_request?: { number?: number } };
  const number = payload.pull_request?.number;
  return number ? { "pull-request": String(number) } : {};
}
