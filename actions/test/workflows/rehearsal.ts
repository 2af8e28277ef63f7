import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * Runs a rendered GitHub workflow's job the way a runner would, on this machine: its `run` steps
 * in order, in the repository, with the job's `env` evaluated from the given contexts. Steps that
 * `uses:` an action prepare the runner (checkout, Node, AWS credentials): here the repository is
 * checked out, Node is this one and the credentials are the local cloud's, given in `env`.
 */
export interface RehearsalContexts {
  vars: Record<string, string>;
  inputs?: Record<string, string>;
  github: Record<string, string>;
  /** The matrix values of one run of a matrix job. */
  matrix?: Record<string, string>;
}

export interface StepRun {
  name: string;
  run: string;
  code: number;
  output: string;
  ms: number;
}

interface Job {
  env?: Record<string, string>;
  steps: { name?: string; uses?: string; run?: string }[];
}

/**
 * `${{ vars.X }}`, `${{ inputs.X }}`, `${{ matrix.X }}`, `${{ github.x.y }}`: the only forms the
 * pipelines use.
 */
export function evaluate(value: string, contexts: RehearsalContexts): string {
  return value.replace(
    /\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_.-]+)\s*\}\}/g,
    (_, context: string, path: string) => {
      const source =
        context === "vars"
          ? contexts.vars
          : context === "inputs"
            ? contexts.inputs
            : context === "matrix"
              ? contexts.matrix
              : contexts.github;
      const found = source?.[path];
      if (found === undefined) throw new Error(`the rehearsal has no value for ${context}.${path}`);
      return found;
    },
  );
}

type RehearsalOptions = {
  env: Record<string, string>;
  override?: Record<string, string>;
  skip?: RegExp;
};

/** Rehearses a job of a committed workflow file (a path in the repository). */
export async function rehearse(
  workflowFile: string,
  jobName: string,
  contexts: RehearsalContexts,
  options: RehearsalOptions,
): Promise<StepRun[]> {
  const text = await readFile(join(REPO_ROOT, workflowFile), "utf8");
  return rehearseJob(text, workflowFile, jobName, contexts, options);
}

/** Rehearses a job of a rendered workflow (its YAML text). */
export async function rehearseJob(
  text: string,
  workflowFile: string,
  jobName: string,
  contexts: RehearsalContexts,
  options: RehearsalOptions,
): Promise<StepRun[]> {
  const workflow = parse(text) as { jobs: Record<string, Job> };
  const job = workflow.jobs[jobName];
  if (!job) throw new Error(`${workflowFile} has no job ${jobName}`);
  const jobEnv = Object.fromEntries(
    Object.entries(job.env ?? {}).map(([key, value]) => [key, evaluate(String(value), contexts)]),
  );
  const env = { ...process.env, ...options.env, ...jobEnv, ...options.override };
  const runs: StepRun[] = [];
  for (const step of job.steps) {
    if (!step.run || options.skip?.test(step.run)) continue;
    const started = Date.now();
    const { code, output } = await bash(step.run, env);
    runs.push({
      name: step.name ?? step.run,
      run: step.run,
      code,
      output,
      ms: Date.now() - started,
    });
    if (code !== 0) break;
  }
  return runs;
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // GitHub runs `run` steps with `bash -e {0}`.
    const child = spawn("bash", ["-e", "-c", script], { cwd: REPO_ROOT, env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
