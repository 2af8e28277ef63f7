import { stringify } from "yaml";
import {
  buildEnv,
  contextOf,
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

export const CIRCLECI_FILE = ".circleci/config.yml";

/** Names of the steps CircleCI adds around the pipeline's own, so tests can tell them apart. */
export const CIRCLECI_SETUP_STEPS = {
  forkGuard: "Pull requests from forks get no preview",
  pullRequest: "Pull request number",
  aws: "AWS credentials from CircleCI's OIDC token (no stored keys)",
  defaultBranch: "shipline of the default branch (none of the pull request's code runs here)",
} as const;

/** The `action` pipeline parameter's default: run what a push runs. */
const PUSH = "push";

/** The job that runs a pipeline's build steps (the pull request's code), with no context. */
export const buildJobName = (pipeline: string) => `${pipeline}-build`;

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
      enum: [PUSH, ...pipelines.filter(([, p]) => p.trigger === "manual").map(([n]) => n)],
      default: PUSH,
      description: `${PUSH} (what a push runs), or a manual pipeline to run when triggered by hand`,
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
      node: { docker: [{ image: spec["circleci-image"] }], resource_class: "medium" },
    },
    jobs: Object.fromEntries(
      pipelines.flatMap(([name, pipeline]) => [
        ...(pipeline.build ? [[buildJobName(name), buildJob(spec, name, pipeline)]] : []),
        [name, job(spec, name, pipeline)],
      ]),
    ),
    workflows: Object.fromEntries(
      pipelines.map(([name, pipeline]) => {
        // A fresh object per job, so the YAML has no anchors to follow.
        const filters = () => filtersOf(spec, pipeline);
        return [
          name,
          {
            when: whenOf(spec, name, pipeline),
            jobs: [
              // No context: the pull request's code never sees a credential.
              ...(pipeline.build ? [{ [buildJobName(name)]: { filters: filters() } }] : []),
              {
                [name]: {
                  context: [contextOf(spec, pipeline, name)],
                  filters: filters(),
                  ...(pipeline.build ? { requires: [buildJobName(name)] } : {}),
                },
              },
            ],
          },
        ];
      }),
    ),
  };
  if (spec.promotion) {
    Object.assign(config.jobs, promotionJobs(spec, spec.promotion));
    Object.assign(config.workflows, { [PROMOTION]: promotionWorkflow(spec, spec.promotion) });
  }
  return { [CIRCLECI_FILE]: `${header}${stringify(config, { lineWidth: 0 })}` };
}

/** A stage's job: `promotion-<stage>`. */
export const stageJobName = (stage: string) => `${PROMOTION}-${stage}`;

/** One environment's run of a stage with several: `promotion-<stage>-<environment>`. */
export const fanOutJobName = (stage: string, environment: string) =>
  `${stageJobName(stage)}-${environment}`;

/** The approval a stage waits for: `approve-<stage>`. */
export const approvalJobName = (stage: string) => `approve-${stage}`;

/** The job parameter that names the environment a stage with several environments runs in. */
export const ENVIRONMENT_PARAMETER = "shipline-environment";

function promotionJobs(spec: PipelineSpec, promotion: Promotion): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(promotion.stages).map(([name, stage]) => {
      if (!isFanOut(stage)) {
        return [stageJobName(name), job(spec, stageJobName(name), stagePipeline(promotion, stage))];
      }
      // One job definition, invoked once per environment with the environment as a parameter.
      const defined = job(spec, stageJobName(name), stagePipeline(promotion, stage));
      return [
        stageJobName(name),
        {
          parameters: {
            [ENVIRONMENT_PARAMETER]: {
              type: "enum",
              enum: stageEnvironments(stage),
              description: "The environment this run deploys to",
            },
          },
          ...defined,
          environment: {
            ...(defined.environment as Record<string, string>),
            SHIPLINE_ENVIRONMENT: `<< parameters.${ENVIRONMENT_PARAMETER} >>`,
          },
        },
      ];
    }),
  );
}

/**
 * The promotion flow on CircleCI: each stage's job in its environment's context, after the
 * stage before; a stage with `approval` after an approval job (a person presses Approve in the
 * CircleCI app; the context's security groups say who may). A stage with several environments
 * runs its job once per environment, in parallel, each run named after its environment and in
 * that environment's context (a context cannot come from a matrix parameter as far as CircleCI
 * documents, so each run is written out); all wait for the same approval, and the next stage
 * requires every one of them.
 */
function promotionWorkflow(spec: PipelineSpec, promotion: Promotion): Record<string, unknown> {
  const onDefaultBranch = onBranch(spec["default-branch"]);
  const jobs: unknown[] = [];
  let previous: string[] = [];
  for (const [name, stage] of Object.entries(promotion.stages)) {
    const filters = () => ({ branches: { only: [spec["default-branch"]] } });
    let requires = previous;
    if (stage.approval) {
      jobs.push({ [approvalJobName(name)]: { type: "approval", requires, filters: filters() } });
      requires = [approvalJobName(name)];
    }
    const runs = stageEnvironments(stage).map((environment) =>
      isFanOut(stage)
        ? {
            name: fanOutJobName(name, environment),
            environment,
            invocation: {
              name: fanOutJobName(name, environment),
              [ENVIRONMENT_PARAMETER]: environment,
            },
          }
        : { name: stageJobName(name), environment, invocation: {} },
    );
    for (const run of runs) {
      jobs.push({
        [stageJobName(name)]: {
          ...run.invocation,
          context: [`shipline-${run.environment}`],
          filters: filters(),
          ...(requires.length > 0 ? { requires: [...requires] } : {}),
        },
      });
    }
    previous = runs.map((run) => run.name);
  }
  return { when: { and: [onDefaultBranch, action(PUSH), { not: SCHEDULED }] }, jobs };
}

/** Runs the pull request's code with no context (no credentials, no token); hands over a folder. */
function buildJob(spec: PipelineSpec, name: string, pipeline: Pipeline): Record<string, unknown> {
  const build = pipeline.build;
  if (!build) throw new Error(`pipelines.${name} has no build`);
  const steps: unknown[] = ["checkout", ...pullRequestSteps(spec, pipeline)];
  for (const step of build.steps) steps.push(runStep(step));
  steps.push({ persist_to_workspace: { root: ".", paths: build.artifact } });
  return { executor: "node", ...environmentOf(name, buildEnv(spec, pipeline)), steps };
}

function job(spec: PipelineSpec, name: string, pipeline: Pipeline): Record<string, unknown> {
  const steps: unknown[] = ["checkout"];
  if (pipeline.build) {
    steps.push({
      run: {
        name: CIRCLECI_SETUP_STEPS.defaultBranch,
        command: `git fetch --depth 1 origin ${spec["default-branch"]} && git checkout --force --detach FETCH_HEAD`,
      },
    });
    steps.push({ attach_workspace: { at: "." } });
  }
  steps.push(...pullRequestSteps(spec, pipeline));
  for (const step of stepsWithCredentials(pipeline)) {
    steps.push(step === "credentials" ? credentialsStep(pipeline) : runStep(step));
  }
  return { executor: "node", ...environmentOf(name, pipelineEnv(spec, pipeline)), steps };
}

const runStep = (step: Step) => ({ run: { name: step.name, command: step.run } });

function environmentOf(name: string, entries: [string, Source][]): Record<string, unknown> {
  const environment: Record<string, string> = {};
  for (const [key, source] of entries) {
    const rendered = value(name, key, source);
    if (rendered !== undefined) environment[key] = rendered;
  }
  return Object.keys(environment).length ? { environment } : {};
}

/** The fork guard and the pull request number, for pipelines that run on pull requests. */
function pullRequestSteps(spec: PipelineSpec, pipeline: Pipeline): unknown[] {
  const steps: unknown[] = [];
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
  const key = pipelineEnv(spec, pipeline).find(([, source]) => source.kind === "pr-number")?.[0];
  if (key) {
    steps.push({
      run: {
        name: CIRCLECI_SETUP_STEPS.pullRequest,
        command: `echo "export ${key}=\${CIRCLE_PULL_REQUEST##*/}" >> "$BASH_ENV"`,
      },
    });
  }
  return steps;
}

function credentialsStep(pipeline: Pipeline): unknown {
  return {
    run: {
      name: CIRCLECI_SETUP_STEPS.aws,
      // The SDK's web-identity provider exchanges the token itself (AssumeRoleWithWebIdentity).
      command: [
        'umask 077; printf "%s" "$CIRCLE_OIDC_TOKEN_V2" > /tmp/aws-web-identity-token',
        `echo 'export AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/aws-web-identity-token' >> "$BASH_ENV"`,
        `echo "export AWS_ROLE_ARN=$${roleVariable(pipeline)}" >> "$BASH_ENV"`,
        `echo "export AWS_ROLE_SESSION_NAME=circleci-$CIRCLE_BUILD_NUM" >> "$BASH_ENV"`,
      ].join("\n"),
    },
  };
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

/**
 * Branch filters on top of `when`: production's context only ever runs on the default branch,
 * previews never do (the contexts' own restrictions say the same; see workflows/README.md).
 */
function filtersOf(spec: PipelineSpec, pipeline: Pipeline): Record<string, unknown> {
  const branch = spec["default-branch"];
  return pipeline.trigger === "pull-request"
    ? { branches: { ignore: [branch] } }
    : { branches: { only: [branch] } };
}

const SCHEDULED = { equal: ["scheduled_pipeline", "<< pipeline.trigger_source >>"] };
const onBranch = (branch: string) => ({ equal: [branch, "<< pipeline.git.branch >>"] });
const action = (name: string) => ({ equal: [name, "<< pipeline.parameters.action >>"] });

function whenOf(spec: PipelineSpec, name: string, pipeline: Pipeline): unknown {
  const onDefaultBranch = onBranch(spec["default-branch"]);
  switch (pipeline.trigger) {
    case "push-main":
      return { and: [onDefaultBranch, action(PUSH), { not: SCHEDULED }] };
    case "manual":
      return action(name);
    case "pull-request":
      return { and: [{ not: onDefaultBranch }, action(PUSH), { not: SCHEDULED }] };
    case "schedule":
      return { and: [SCHEDULED, { equal: [name, "<< pipeline.schedule.name >>"] }] };
    case "pull-request-closed":
      return false;
  }
}
