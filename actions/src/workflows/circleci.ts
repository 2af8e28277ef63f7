import { stringify } from "yaml";
import { type Pipeline, type PipelineSpec, pipelineEnv, type Source } from "./spec";

export const CIRCLECI_FILE = ".circleci/config.yml";

/** Names of the steps CircleCI adds around the pipeline's own, so tests can tell them apart. */
export const CIRCLECI_SETUP_STEPS = {
  forkGuard: "Pull requests from forks get no preview",
  pullRequest: "Pull request number",
  aws: "AWS credentials from CircleCI's OIDC token (no stored keys)",
} as const;

/**
 * CircleCI: one config with a job per pipeline and a workflow per trigger. A push to main runs
 * deploy; an API-triggered pipeline with `action: rollback` runs the rollback; other branches
 * run the preview (CircleCI builds pull requests as branch pushes); the scheduled pipeline named
 * `preview-sweep` removes previews of closed pull requests, since CircleCI is not told when a
 * pull request closes (so `pull-request-closed` pipelines have no CircleCI job).
 */
export function renderCircleCi(spec: PipelineSpec, header: string): Record<string, string> {
  const pipelines = Object.entries(spec.pipelines).filter(
    ([, pipeline]) => pipeline.trigger !== "pull-request-closed",
  );
  const parameters: Record<string, unknown> = {
    action: {
      type: "enum",
      enum: ["deploy", ...pipelines.filter(([, p]) => p.trigger === "manual").map(([n]) => n)],
      default: "deploy",
      description: "deploy (pushes), or a manual pipeline to run when triggered by hand",
    },
  };
  for (const [name, pipeline] of pipelines) {
    for (const [input, settings] of Object.entries(pipeline.inputs)) {
      parameters[`${name}-${input}`] = settings.options
        ? {
            type: "enum",
            enum: settings.options,
            default: settings.default,
            description: settings.description,
          }
        : { type: "string", default: settings.default, description: settings.description };
    }
  }
  const config = {
    version: 2.1,
    parameters,
    executors: {
      node: { docker: [{ image: `cimg/node:${spec.node}.19` }], resource_class: "medium" },
    },
    jobs: Object.fromEntries(
      pipelines.map(([name, pipeline]) => [name, job(spec, name, pipeline)]),
    ),
    workflows: Object.fromEntries(
      pipelines.map(([name, pipeline]) => [
        name,
        {
          when: whenOf(name, pipeline),
          jobs: [{ [name]: { context: [`shipline-${spec.environment}`] } }],
        },
      ]),
    ),
  };
  return { [CIRCLECI_FILE]: `${header}${stringify(config, { lineWidth: 0 })}` };
}

function job(spec: PipelineSpec, name: string, pipeline: Pipeline): Record<string, unknown> {
  const environment: Record<string, string> = {};
  for (const [key, source] of pipelineEnv(spec, pipeline)) {
    const rendered = value(name, key, source);
    if (rendered !== undefined) environment[key] = rendered;
  }
  const steps: unknown[] = ["checkout"];
  if (pipeline.trigger === "pull-request") {
    steps.push({
      run: {
        name: CIRCLECI_SETUP_STEPS.forkGuard,
        // CIRCLE_PR_REPONAME is set only for forks; they never receive the context's credentials.
        command: [
          'if [ -n "$CIRCLE_PR_REPONAME" ]; then',
          '  echo "Pull requests from forks get no preview: they never receive AWS credentials."',
          "  circleci-agent step halt",
          "fi",
          'if [ -z "$CIRCLE_PULL_REQUEST" ]; then',
          '  echo "Not a pull request: no preview."',
          "  circleci-agent step halt",
          "fi",
        ].join("\n"),
      },
    });
  }
  if (pipelineEnv(spec, pipeline).some(([, source]) => source.kind === "pr-number")) {
    const key = pipelineEnv(spec, pipeline).find(([, source]) => source.kind === "pr-number")?.[0];
    steps.push({
      run: {
        name: CIRCLECI_SETUP_STEPS.pullRequest,
        command: `echo "export ${key}=\${CIRCLE_PULL_REQUEST##*/}" >> "$BASH_ENV"`,
      },
    });
  }
  if (pipeline.aws) {
    steps.push({
      run: {
        name: CIRCLECI_SETUP_STEPS.aws,
        // The SDK's web-identity provider exchanges the token itself (AssumeRoleWithWebIdentity).
        command: [
          'umask 077; printf "%s" "$CIRCLE_OIDC_TOKEN_V2" > /tmp/aws-web-identity-token',
          `echo 'export AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/aws-web-identity-token' >> "$BASH_ENV"`,
          `echo "export AWS_ROLE_ARN=$SHIPLINE_ROLE_ARN" >> "$BASH_ENV"`,
          `echo "export AWS_ROLE_SESSION_NAME=circleci-$CIRCLE_BUILD_NUM" >> "$BASH_ENV"`,
        ].join("\n"),
      },
    });
  }
  for (const step of pipeline.steps) steps.push({ run: { name: step.name, command: step.run } });
  return { executor: "node", ...(Object.keys(environment).length ? { environment } : {}), steps };
}

/** Job environment values are literal on CircleCI: context variables keep their own names. */
function value(pipeline: string, key: string, source: Source): string | undefined {
  switch (source.kind) {
    case "input":
      return `<< pipeline.parameters.${pipeline}-${source.name} >>`;
    case "literal":
      return source.value;
    case "pr-number":
      return undefined;
    case "var":
    case "github-token":
    case "repository": {
      const expected =
        source.kind === "var"
          ? source.name
          : source.kind === "github-token"
            ? "GITHUB_TOKEN"
            : "GITHUB_REPOSITORY";
      if (expected !== key) {
        throw new Error(
          `pipelines.${pipeline}.env.${key}: on CircleCI it comes from the context, so it must be named ${expected}`,
        );
      }
      return undefined;
    }
  }
}

const SCHEDULED = { equal: ["scheduled_pipeline", "<< pipeline.trigger_source >>"] };
const ON_MAIN = { equal: ["main", "<< pipeline.git.branch >>"] };
const action = (name: string) => ({ equal: [name, "<< pipeline.parameters.action >>"] });

function whenOf(name: string, pipeline: Pipeline): unknown {
  switch (pipeline.trigger) {
    case "push-main":
      return { and: [ON_MAIN, action("deploy"), { not: SCHEDULED }] };
    case "manual":
      return action(name);
    case "pull-request":
      return { and: [{ not: ON_MAIN }, action("deploy"), { not: SCHEDULED }] };
    case "schedule":
      return { and: [SCHEDULED, { equal: [name, "<< pipeline.schedule.name >>"] }] };
    case "pull-request-closed":
      return false;
  }
}
