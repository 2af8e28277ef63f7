/**
 * The OIDC trust policies of the roles CI assumes: the one source of them, printed by
 * `shipline bootstrap` and written into workflows/README.md (scripts/write-trust-policies.ts).
 * Placeholders in angle brackets are what bootstrap fills in from its inputs.
 */

export interface TrustSubjects {
  account: string;
  /** GitHub owner/name. */
  repository: string;
  environment: string;
  /** The default branch, where the scheduled preview sweep runs. */
  branch: string;
}

const GITHUB = "token.actions.githubusercontent.com";

/** The deploy role for GitHub: only jobs running in the environment (deploy and rollback). */
export function githubDeployTrust(subjects: TrustSubjects) {
  return githubTrust(
    subjects.account,
    `repo:${subjects.repository}:environment:${subjects.environment}`,
  );
}

/** The preview role for GitHub: pull request jobs, and the sweep on the default branch. */
export function githubPreviewTrust(subjects: TrustSubjects) {
  return githubTrust(subjects.account, [
    `repo:${subjects.repository}:pull_request`,
    `repo:${subjects.repository}:ref:refs/heads/${subjects.branch}`,
  ]);
}

function githubTrust(account: string, subject: string | string[]) {
  return {
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${GITHUB}` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${GITHUB}:aud`]: "sts.amazonaws.com",
        [`${GITHUB}:sub`]: subject,
      },
    },
  };
}

export interface CircleSubjects {
  account: string;
  org: string;
  project: string;
  /** The VCS origin of the project, e.g. github.com/acme/shop. */
  origin: string;
  /** The ref pattern: refs/heads/main for deploys, refs/heads/* for previews. */
  ref: string;
}

/** A CircleCI role: the organization's provider, the project and the branch from the token's sub. */
export function circleciTrust(subjects: CircleSubjects) {
  const provider = `oidc.circleci.com/org/${subjects.org}`;
  return {
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${subjects.account}:oidc-provider/${provider}` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { [`${provider}:aud`]: subjects.org },
      StringLike: {
        [`${provider}:sub`]: `org/${subjects.org}/project/${subjects.project}/user/*/vcs-origin/${subjects.origin}/vcs-ref/${subjects.ref}`,
      },
    },
  };
}

/** The trust policies as the docs show them, with placeholders. */
export const DOCUMENTED_TRUST = {
  "github-deploy": githubDeployTrust({
    account: "<account>",
    repository: "<owner>/<repo>",
    environment: "production",
    branch: "main",
  }),
  "github-preview": githubPreviewTrust({
    account: "<account>",
    repository: "<owner>/<repo>",
    environment: "production",
    branch: "main",
  }),
  "circleci-deploy": circleciTrust({
    account: "<account>",
    org: "<org-id>",
    project: "<project-id>",
    origin: "github.com/<owner>/<repo>",
    ref: "refs/heads/main",
  }),
};
