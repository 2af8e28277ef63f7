import { ConfigurationError, quote } from "../lib/errors";

/** Who and what started a run, from the CI system's variables (GitHub Actions or CircleCI). */
export interface RunContext {
  commit: string;
  /** Unique per run and attempt: a re-run gets a new release id. */
  run: string;
  actor: string;
  /** A link to the run, for lock messages and history. */
  url?: string;
}

export function runContext(env: NodeJS.ProcessEnv, now: number): RunContext {
  if (env.GITHUB_RUN_ID) {
    return {
      commit: env.GITHUB_SHA ?? "unknown",
      run: `${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? "1"}`,
      actor: env.GITHUB_ACTOR ?? "unknown",
      ...(env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
        ? {
            url: `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`,
          }
        : {}),
    };
  }
  if (env.CIRCLE_BUILD_NUM) {
    return {
      commit: env.CIRCLE_SHA1 ?? "unknown",
      run: `cci${env.CIRCLE_BUILD_NUM}`,
      actor: env.CIRCLE_USERNAME ?? "unknown",
      ...(env.CIRCLE_BUILD_URL ? { url: env.CIRCLE_BUILD_URL } : {}),
    };
  }
  // SHIPLINE_COMMIT and SHIPLINE_RUN: a local run's commit and counter (see local-run.ts).
  return {
    commit: env.SHIPLINE_COMMIT ?? "local",
    run: env.SHIPLINE_RUN ?? `local${now.toString(36)}`,
    actor: env.USER ?? "local",
  };
}

/** Release id = short commit + run: readable, unique per run, safe in keys and CallerReferences. */
export function releaseIdOf(context: RunContext, override?: string): string {
  const id = override ?? `${context.commit.slice(0, 12)}-${context.run}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id)) {
    throw new ConfigurationError(
      `release id ${quote(id)} must be 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return id;
}
