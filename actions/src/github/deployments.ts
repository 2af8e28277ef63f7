import { getOctokit } from "@actions/github";

/** The deployment states shipline sets, in the order a run goes through them. */
export type DeploymentState = "in_progress" | "success" | "failure" | "inactive";

export interface NewDeployment {
  /** "production", or a preview's own environment such as "preview-pr-7". */
  environment: string;
  /** The commit or branch deployed: what GitHub shows the deployment on. */
  ref: string;
  description: string;
  /** Previews: transient (GitHub may clean them up) and not production. */
  preview: boolean;
}

export interface DeploymentStatus {
  state: DeploymentState;
  /** Where it is live: the site, or the preview. */
  environmentUrl?: string;
  /** The CI run that did it. */
  logUrl?: string;
}

/** The few REST calls deployments need, so tests can hand in a fake or a loopback API. */
export interface DeploymentApi {
  create(deployment: NewDeployment): Promise<number>;
  setStatus(id: number, status: DeploymentStatus): Promise<void>;
  /** Ids of the environment's deployments, newest first. */
  list(environment: string): Promise<number[]>;
}

export function githubDeploymentApi(
  token: string,
  repository: string,
  baseUrl?: string,
): DeploymentApi {
  const [owner = "", repo = ""] = repository.split("/");
  const octokit = getOctokit(token, baseUrl ? { baseUrl } : {});
  return {
    async create(deployment) {
      const response = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: deployment.ref,
        environment: deployment.environment,
        description: deployment.description,
        transient_environment: deployment.preview,
        production_environment: !deployment.preview,
        // A deploy runs while the commit's checks still run, and must never merge anything.
        required_contexts: [],
        auto_merge: false,
      });
      if (!("id" in response.data)) {
        throw new Error(`GitHub created no deployment: ${response.data.message ?? "no reason"}`);
      }
      return response.data.id;
    },
    async setStatus(id, status) {
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state: status.state,
        ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
        ...(status.logUrl ? { log_url: status.logUrl } : {}),
      });
    },
    async list(environment) {
      const found = await octokit.rest.repos.listDeployments({
        owner,
        repo,
        environment,
        per_page: 100,
      });
      return found.data.map((deployment) => deployment.id);
    },
  };
}
