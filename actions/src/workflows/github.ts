import { stringify } from "yaml";
import { PINNED_ACTIONS, type PinnedAction, usesOf } from "./pins";
import { type Pipeline, type PipelineSpec, pipelineEnv, type Source } from "./spec";

/** GitHub Actions: one workflow file per pipeline, `.github/workflows/<name>.yml`. */
export function renderGitHub(spec: PipelineSpec, header: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.pipelines).map(([name, pipeline]) => [
      `.github/workflows/${name}.yml`,
      withVersionComments(
        `${header}${stringify(workflow(spec, name, pipeline), { lineWidth: 0 })}`,
      ),
    ]),
  );
}

/** A GitHub expression, `${{ body }}`. */
const expr = (body: string): string => `\${{ ${body} }}`;

const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";

function workflow(spec: PipelineSpec, name: string, pipeline: Pipeline): Record<string, unknown> {
  const job: Record<string, unknown> = {
    name: pipeline.description.replace(/\.$/, ""),
    "runs-on": "ubuntu-latest",
    "timeout-minutes": 30,
    ...(pipeline.trigger === "push-main" || pipeline.trigger === "manual"
      ? { environment: spec.environment }
      : {}),
    ...(isPullRequest(pipeline) ? { if: SAME_REPOSITORY } : {}),
    permissions: jobPermissions(pipeline),
    env: Object.fromEntries(
      pipelineEnv(spec, pipeline).map(([key, source]) => [key, value(source)]),
    ),
    steps: [
      { uses: usesOf(PINNED_ACTIONS.checkout), with: { "persist-credentials": false } },
      { uses: usesOf(PINNED_ACTIONS.setupNode), with: { "node-version": spec.node, cache: "npm" } },
      ...(pipeline.aws
        ? [
            {
              name: "AWS credentials (OIDC, no stored keys)",
              uses: usesOf(PINNED_ACTIONS.awsCredentials),
              with: {
                "role-to-assume": expr("vars.SHIPLINE_ROLE_ARN"),
                "aws-region": expr("vars.AWS_REGION"),
              },
            },
          ]
        : []),
      ...pipeline.steps.map((step) => ({ name: step.name, run: step.run })),
    ],
  };
  const jobs: Record<string, unknown> = { [name]: job };
  if (pipeline.trigger === "pull-request") {
    // Forks never receive AWS credentials: say so instead of failing or silently passing.
    jobs["fork-notice"] = {
      "runs-on": "ubuntu-latest",
      if: SAME_REPOSITORY.replace("==", "!="),
      permissions: {},
      steps: [
        {
          name: "No preview for pull requests from forks",
          run: 'echo "::notice title=No preview::Pull requests from forks get no preview: they never receive AWS credentials."',
        },
      ],
    };
  }
  return {
    name,
    on: triggerOf(pipeline),
    // Nothing by default; each job asks for what it needs.
    permissions: {},
    concurrency: concurrencyOf(spec, pipeline),
    jobs,
  };
}

const isPullRequest = (pipeline: Pipeline) =>
  pipeline.trigger === "pull-request" || pipeline.trigger === "pull-request-closed";

function triggerOf(pipeline: Pipeline): Record<string, unknown> {
  switch (pipeline.trigger) {
    case "push-main":
      return { push: { branches: ["main"] } };
    case "manual":
      return {
        workflow_dispatch: {
          inputs: Object.fromEntries(
            Object.entries(pipeline.inputs).map(([name, input]) => [
              name,
              {
                description: input.description,
                required: false,
                ...(input.options
                  ? { type: "choice", options: input.options }
                  : { type: "string" }),
                default: input.default,
              },
            ]),
          ),
        },
      };
    case "pull-request":
      return { pull_request: { types: ["opened", "synchronize", "reopened"] } };
    case "pull-request-closed":
      return { pull_request: { types: ["closed"] } };
    case "schedule":
      return { schedule: [{ cron: pipeline.cron ?? "0 3 * * *" }], workflow_dispatch: {} };
  }
}

function concurrencyOf(spec: PipelineSpec, pipeline: Pipeline): Record<string, unknown> {
  if (pipeline.trigger === "push-main" || pipeline.trigger === "manual") {
    // Deploys and rollbacks of one environment queue behind each other; a running one is never
    // cancelled halfway (shipline's lock guards the same across CI systems).
    return { group: `shipline-${spec.environment}`, "cancel-in-progress": false };
  }
  if (isPullRequest(pipeline)) {
    return {
      group: `shipline-preview-${expr("github.event.pull_request.number")}`,
      "cancel-in-progress": pipeline.trigger === "pull-request",
    };
  }
  return { group: "shipline-preview-sweep", "cancel-in-progress": false };
}

function jobPermissions(pipeline: Pipeline): Record<string, string> {
  return {
    contents: "read",
    ...(pipeline.aws ? { "id-token": "write" } : {}),
    // Previews comment on their pull request; the sweep only lists the open ones.
    ...(isPullRequest(pipeline) ? { "pull-requests": "write" } : {}),
    ...(pipeline.trigger === "schedule" ? { "pull-requests": "read" } : {}),
  };
}

function value(source: Source): string {
  switch (source.kind) {
    case "var":
      return expr(`vars.${source.name}`);
    case "input":
      return expr(`inputs.${source.name}`);
    case "pr-number":
      return expr("github.event.pull_request.number");
    case "github-token":
      return expr("github.token");
    case "repository":
      return expr("github.repository");
    case "literal":
      return source.value;
  }
}

/** `uses: owner/repo@<sha>` → the same with `# vX.Y.Z` after it. */
function withVersionComments(text: string): string {
  let result = text;
  for (const action of Object.values(PINNED_ACTIONS) as PinnedAction[]) {
    result = result.split(usesOf(action)).join(`${usesOf(action)} # ${action.version}`);
  }
  return result;
}
