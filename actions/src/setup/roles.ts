import deployPolicy from "../../iam/deploy.json" with { type: "json" };
import previewPolicy from "../../iam/preview.json" with { type: "json" };
import { partitionOf } from "./bucket-policy";
import type { BootstrapInputs } from "./inputs";
import { circleciTrust, githubDeployTrust, githubPreviewTrust } from "./trust-policies";

/** A role CI assumes: who may assume it, and what it may do. */
export interface RoleAdvice {
  name: string;
  /** Where its ARN goes (the variable the pipelines read). */
  variable: string;
  trust: unknown;
  permissions: unknown;
}

/**
 * The roles a deploy needs, from the repository's own IAM policies (actions/iam/*.json, the
 * policies the test suite checks against every call a deploy makes) with the names filled in.
 * Printed, never created: creating roles is the account owner's decision.
 */
export function roleAdvice(inputs: BootstrapInputs, account: string, region: string): RoleAdvice[] {
  const repositories = [...new Set(Object.values(inputs.containers))];
  const fill = (policy: unknown) =>
    fillPolicy(policy, {
      account,
      region,
      bucket: inputs.bucket,
      repositories,
      partition: partitionOf(region),
    });
  const roles: RoleAdvice[] = [];
  const permissions = { deploy: fill(deployPolicy), preview: fill(previewPolicy) };
  if (inputs.github) {
    const subjects = {
      account,
      repository: inputs.github,
      environment: inputs.environment,
      branch: "main",
    };
    roles.push(
      {
        name: "shipline-deploy (GitHub)",
        variable: "SHIPLINE_ROLE_ARN",
        trust: githubDeployTrust(subjects),
        permissions: permissions.deploy,
      },
      {
        name: "shipline-preview (GitHub)",
        variable: "SHIPLINE_PREVIEW_ROLE_ARN",
        trust: githubPreviewTrust(subjects),
        permissions: permissions.preview,
      },
    );
  }
  const org = inputs["circleci-org"];
  const project = inputs["circleci-project"];
  if (org && project) {
    const origin = `github.com/${inputs.github ?? "<owner>/<repo>"}`;
    roles.push(
      {
        name: "shipline-deploy (CircleCI)",
        variable: "SHIPLINE_ROLE_ARN",
        trust: circleciTrust({ account, org, project, origin, ref: "refs/heads/main" }),
        permissions: permissions.deploy,
      },
      {
        name: "shipline-preview (CircleCI)",
        variable: "SHIPLINE_PREVIEW_ROLE_ARN",
        trust: circleciTrust({ account, org, project, origin, ref: "refs/heads/*" }),
        permissions: permissions.preview,
      },
    );
  }
  return roles;
}

interface Names {
  account: string;
  region: string;
  bucket: string;
  repositories: string[];
  partition: string;
}

/**
 * A policy with the known names in place of its placeholders. The repository placeholders of
 * the sample app become this configuration's repositories; the rest (cluster, roles, log group,
 * distributions) stay for the account owner to fill in.
 */
export function fillPolicy(policy: unknown, names: Names): unknown {
  const repositoryArn = (name: string) =>
    `arn:${names.partition}:ecr:${names.region}:${names.account}:repository/${name}`;
  const fillText = (text: string) =>
    text
      .replaceAll(placeholder("Account"), names.account)
      .replaceAll(placeholder("Region"), names.region)
      .replaceAll(placeholder("Bucket"), names.bucket)
      .replaceAll("arn:aws:", `arn:${names.partition}:`);
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return fillText(value);
    if (Array.isArray(value)) {
      const filled = value.flatMap((item) =>
        typeof item === "string" && /:repository\/\$\{[A-Za-z]+Repository\}$/.test(item)
          ? []
          : [walk(item)],
      );
      if (filled.length < value.length)
        return [...new Set([...filled, ...names.repositories.map(repositoryArn)])];
      return filled;
    }
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    }
    return value;
  };
  return walk(policy);
}

/** A policy file's placeholder, as IAM policy variables are written: ${Name}. */
const placeholder = (name: string) => `\${${name}}`;
