import { stringify } from "yaml";
import { PINNED_ACTIONS, type PinnedAction, usesOf } from "./pins";
import {
  type BuildJob,
  buildEnv,
  environmentChoice,
  isFanOut,
  type Pipeline,
  type PipelineSpec,
  PROMOTION,
  type Promotion,
  pipelineEnv,
  roleVariable,
  type Source,
  type Step,
  stageEnvironments,
  stagePipeline,
  stepsWithCredentials,
} from "./spec";

/** GitHub Actions: one workflow file per pipeline, `.github/workflows/<name>.yml`. */
export function renderGitHub(spec: PipelineSpec, header: string): Record<string, string> {
  const render = (value: Record<string, unknown>) =>
    withVersionComments(`${header}${stringify(value, { lineWidth: 0 })}`);
  return Object.fromEntries([
    ...Object.entries(spec.pipelines).map(([name, pipeline]) => [
      `.github/workflows/${name}.yml`,
      render(workflow(spec, name, pipeline)),
    ]),
    ...(spec.promotion
      ? [[`.github/workflows/${PROMOTION}.yml`, render(promotionWorkflow(spec, spec.promotion))]]
      : []),
  ]);
}

/**
 * The promotion flow: one job per stage, each after the one before, each in its environment.
 * A stage with `approval` runs in a GitHub environment whose required reviewers approve it (set
 * in the repository's settings; see workflows/README.md): the job waits for them, holding no
 * credentials. Each job has its own concurrency group, so a waiting approval never blocks the
 * next push's staging deploy, and none is cancelled halfway. A stage with several environments
 * is a matrix: one job per environment, in parallel, each in its GitHub environment and its own
 * concurrency group; one failing leaves the others running (each holds only its environment's
 * lock), and the next stage, which needs the matrix job, waits for every one of them.
 */
function promotionWorkflow(spec: PipelineSpec, promotion: Promotion): Record<string, unknown> {
  const jobs: Record<string, unknown> = {};
  let previous: string | undefined;
  for (const [name, stage] of Object.entries(promotion.stages)) {
    const pipeline = stagePipeline(promotion, stage);
    const job = mainJob(spec, name, pipeline);
    const fanOut = isFanOut(stage);
    // The matrix value reaches the steps as SHIPLINE_ENVIRONMENT, never pasted into a script.
    const environment = fanOut ? expr("matrix.environment") : stageEnvironments(stage)[0];
    jobs[name] = {
      name: job.name,
      "runs-on": job["runs-on"],
      "timeout-minutes": job["timeout-minutes"],
      ...(previous ? { needs: previous } : {}),
      ...(fanOut
        ? { strategy: { matrix: { environment: stageEnvironments(stage) }, "fail-fast": false } }
        : {}),
      environment,
      concurrency: {
        group: `shipline-${environment}-${PROMOTION}`,
        "cancel-in-progress": false,
      },
      permissions: job.permissions,
      env: { ...(job.env as Record<string, string>), SHIPLINE_ENVIRONMENT: environment },
      steps: job.steps,
    };
    previous = name;
  }
  return {
    name: PROMOTION,
    on: { push: { branches: [spec["default-branch"]] } },
    permissions: {},
    jobs,
  };
}

/** A GitHub expression, `${{ body }}`. */
const expr = (body: string): string => `\${{ ${body} }}`;

const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";
const ON_DEFAULT_BRANCH = "github.ref_name == github.event.repository.default_branch";

/**
 * The artifacts that carry a build job's folders to the job that publishes them, one per folder,
 * each unpacked into its own folder only: nothing of the build job lands anywhere else in the
 * publishing job's checkout (such as the shipline it runs).
 */
const artifactName = (pipelineName: string, folder: string, index: number) =>
  index === 0 ? `${pipelineName}-site` : `${pipelineName}-${folder.replace(/[^\w.-]+/g, "-")}`;

function workflow(spec: PipelineSpec, name: string, pipeline: Pipeline): Record<string, unknown> {
  const jobs: Record<string, unknown> = {};
  if (pipeline.build) jobs.build = buildJob(spec, name, pipeline, pipeline.build);
  jobs[name] = mainJob(spec, name, pipeline);
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
    on: triggerOf(spec, pipeline),
    // Nothing by default; each job asks for what it needs.
    permissions: {},
    concurrency: concurrencyOf(spec, name, pipeline),
    jobs,
  };
}

/**
 * Runs the pull request's code: no AWS credentials, no id-token, a read-only token that is not
 * kept in the checkout nor given to the steps. Only the built folder leaves the job.
 */
function buildJob(
  spec: PipelineSpec,
  name: string,
  pipeline: Pipeline,
  build: BuildJob,
): Record<string, unknown> {
  return {
    name: `Build (no credentials): ${pipeline.description.replace(/\.$/, "")}`,
    "runs-on": "ubuntu-latest",
    "timeout-minutes": pipeline["timeout-minutes"],
    ...(isPullRequest(pipeline) ? { if: SAME_REPOSITORY } : {}),
    permissions: { contents: "read" },
    env: envOf(buildEnv(spec, pipeline)),
    steps: [
      { uses: usesOf(PINNED_ACTIONS.checkout), with: { "persist-credentials": false } },
      setupNode(spec, build.steps),
      ...build.steps.map((step) => ({ name: step.name, run: step.run })),
      ...build.artifact.map((folder, index) => ({
        name: `Hand over ${folder} (files only)`,
        uses: usesOf(PINNED_ACTIONS.uploadArtifact),
        with: {
          name: artifactName(name, folder, index),
          path: folder,
          "if-no-files-found": "error",
          "retention-days": 1,
        },
      })),
    ],
  };
}

function mainJob(
  spec: PipelineSpec,
  name: string,
  pipeline: Pipeline,
): Record<string, unknown> & { steps: unknown[] } {
  // Jobs that assume the preview role, or take a build job's output, run the default branch's
  // shipline: never the pull request's code next to credentials.
  const defaultBranchOnly = pipeline.build !== undefined || pipeline.credentials === "preview";
  return {
    name: pipeline.description.replace(/\.$/, ""),
    "runs-on": "ubuntu-latest",
    "timeout-minutes": pipeline["timeout-minutes"],
    ...(pipeline.build ? { needs: "build" } : {}),
    ...(pipeline.trigger === "push-main" || pipeline.trigger === "manual"
      ? { environment: environmentName(spec, pipeline) }
      : {}),
    ...ifOf(pipeline),
    permissions: jobPermissions(pipeline),
    env: envOf(pipelineEnv(spec, pipeline)),
    steps: [
      {
        uses: usesOf(PINNED_ACTIONS.checkout),
        with: {
          ...(defaultBranchOnly ? { ref: expr("github.event.repository.default_branch") } : {}),
          "persist-credentials": false,
        },
      },
      setupNode(spec, pipeline.steps),
      ...(pipeline.build?.artifact ?? []).map((folder, index) => ({
        name: `${folder} from the build job`,
        uses: usesOf(PINNED_ACTIONS.downloadArtifact),
        with: { name: artifactName(name, folder, index), path: folder },
      })),
      ...stepsWithCredentials(pipeline).map((step) =>
        step === "credentials" ? credentialsStep(pipeline) : { name: step.name, run: step.run },
      ),
    ],
  };
}

/** The GitHub environment a job runs in: fixed, or the input that names it. */
function environmentName(spec: PipelineSpec, pipeline: Pipeline): string {
  const choice = environmentChoice(spec, pipeline);
  return "input" in choice ? expr(`inputs.${choice.input}`) : choice.fixed;
}

function ifOf(pipeline: Pipeline): { if?: string } {
  if (isPullRequest(pipeline)) return { if: SAME_REPOSITORY };
  // A rollback dispatched from another branch would run that branch's code with the role.
  if (pipeline.trigger === "manual") return { if: ON_DEFAULT_BRANCH };
  return {};
}

function setupNode(spec: PipelineSpec, steps: Step[]): Record<string, unknown> {
  // The npm cache only helps jobs that install; the others run the committed bundle.
  const installs = steps.some((step) => /\bnpm ci\b/.test(step.run));
  return {
    uses: usesOf(PINNED_ACTIONS.setupNode),
    with: { "node-version": spec.node, ...(installs ? { cache: "npm" } : {}) },
  };
}

function credentialsStep(pipeline: Pipeline): Record<string, unknown> {
  const role = roleVariable(pipeline);
  return {
    name: `AWS credentials: the ${pipeline.credentials} role (OIDC, no stored keys)`,
    uses: usesOf(PINNED_ACTIONS.awsCredentials),
    with: {
      "role-to-assume": expr(`vars.${role}`),
      "aws-region": expr("vars.AWS_REGION"),
    },
  };
}

const envOf = (entries: [string, Source][]) =>
  Object.fromEntries(entries.map(([key, source]) => [key, value(source)]));

const isPullRequest = (pipeline: Pipeline) =>
  pipeline.trigger === "pull-request" || pipeline.trigger === "pull-request-closed";

function triggerOf(spec: PipelineSpec, pipeline: Pipeline): Record<string, unknown> {
  switch (pipeline.trigger) {
    case "push-main":
      return { push: { branches: [spec["default-branch"]] } };
    case "manual":
      if (Object.keys(pipeline.inputs).length === 0) return { workflow_dispatch: {} };
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

function concurrencyOf(
  spec: PipelineSpec,
  name: string,
  pipeline: Pipeline,
): Record<string, unknown> {
  if (pipeline.trigger === "push-main" || pipeline.trigger === "manual") {
    // A running deploy or rollback is never cancelled halfway. Deploys and rollbacks have groups
    // of their own: GitHub replaces a group's *pending* run with a newer one, so in one shared
    // group a push would cancel a waiting rollback. shipline's lock keeps them from overlapping.
    return {
      group: `shipline-${environmentName(spec, pipeline)}-${name}`,
      "cancel-in-progress": false,
    };
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
    ...(pipeline.credentials !== "none" ? { "id-token": "write" } : {}),
    // Deploys, rollbacks and previews record a GitHub deployment; removing a preview (cleanup,
    // sweep) marks its deployments inactive.
    deployments: "write",
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
