import type { Logger } from "../lib/logger";
import { runContext } from "../release/record";
import {
  type DeploymentApi,
  type DeploymentState,
  githubDeploymentApi,
  type NewDeployment,
} from "./deployments";

/**
 * Records deployments on GitHub, so the pull request and the commit show where a release is
 * live. GitHub is a bystander here: a bad token or an outage is a warning, never the reason a
 * deploy fails, and a deploy's own failure is passed on untouched.
 */
export class DeploymentTracker {
  constructor(
    private readonly api: DeploymentApi,
    private readonly logger: Logger,
    private readonly ref: string,
    private readonly logUrl: string | undefined,
  ) {}

  /**
   * Runs `work` inside a deployment: `in_progress` before, then `success` with the URL where it
   * is live, or `failure` (and the error is thrown on).
   */
  async track<T>(
    deployment: Omit<NewDeployment, "ref">,
    work: () => Promise<T>,
    urlOf: (result: T) => string | undefined,
  ): Promise<T> {
    const id = await this.quietly("create a deployment", () =>
      this.api.create({ ...deployment, ref: this.ref }),
    );
    if (id !== undefined) await this.status(id, "in_progress");
    let result: T;
    try {
      result = await work();
    } catch (error) {
      if (id !== undefined) await this.status(id, "failure");
      throw error;
    }
    if (id !== undefined) await this.status(id, "success", urlOf(result));
    return result;
  }

  /** Marks every deployment of an environment inactive: a closed pull request's preview. */
  async deactivate(environment: string): Promise<void> {
    const ids = (await this.quietly("list deployments", () => this.api.list(environment))) ?? [];
    for (const id of ids) await this.status(id, "inactive");
  }

  private async status(id: number, state: DeploymentState, environmentUrl?: string) {
    await this.quietly(`set deployment ${id} to ${state}`, () =>
      this.api.setStatus(id, {
        state,
        ...(environmentUrl ? { environmentUrl } : {}),
        ...(this.logUrl ? { logUrl: this.logUrl } : {}),
      }),
    );
  }

  private async quietly<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.logger.warning(
        `GitHub deployments: could not ${what} (${(error as Error).message}); the deploy goes on`,
      );
      return undefined;
    }
  }
}

/**
 * A tracker when the run can talk to GitHub (GITHUB_TOKEN and GITHUB_REPOSITORY, as the
 * pipelines set them on both CI systems), else undefined: deployments are then not recorded.
 * The ref is the pull request's branch for previews (GITHUB_HEAD_REF), else the commit.
 */
export function deploymentTracker(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  /** A token and repository given as inputs (the preview action's), over the environment's. */
  given: { githubToken?: string; repository?: string } = {},
): DeploymentTracker | undefined {
  const token = given.githubToken ?? env.GITHUB_TOKEN;
  const repository = given.repository ?? env.GITHUB_REPOSITORY;
  const ref = env.GITHUB_HEAD_REF || env.GITHUB_SHA || env.CIRCLE_SHA1;
  if (!token || !repository || !ref) return undefined;
  logger.secret(token);
  return new DeploymentTracker(
    githubDeploymentApi(token, repository, env.GITHUB_API_URL),
    logger,
    ref,
    runContext(env, Date.now()).url,
  );
}

/** Runs `work` as a deployment when there is a tracker, else just runs it. */
export function tracked<T>(
  tracker: DeploymentTracker | undefined,
  deployment: Omit<NewDeployment, "ref">,
  work: () => Promise<T>,
  urlOf: (result: T) => string | undefined,
): Promise<T> {
  return tracker ? tracker.track(deployment, work, urlOf) : work();
}

/** A preview's own GitHub environment. */
export const previewEnvironment = (pullRequest: number) => `preview-pr-${pullRequest}`;

/** A deploy or rollback, recorded as a deployment of its environment (production, not transient). */
export function trackRelease<T>(
  kind: "deploy" | "rollback",
  inputs: { environment: string; url?: string | undefined },
  env: NodeJS.ProcessEnv,
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  return tracked(
    deploymentTracker(env, logger),
    { environment: inputs.environment, description: `shipline ${kind}`, preview: false },
    work,
    () => inputs.url,
  );
}
