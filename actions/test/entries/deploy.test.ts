import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { deployAction } from "../../src/entries/deploy";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * The deploy action as the runner starts it: every input an INPUT_* variable, those action.yml
 * gives a default set to it (as the runner does), the rest absent. The site folder is the
 * configuration's `web:` unless the workflow names one: a default for `source` (in action.yml
 * or in the parser) would silently publish another folder.
 */
let work = "";
let site = "";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "deploy-entry-"));
  site = join(work, "from-config");
  await mkdir(site);
  await writeFile(join(site, "index.html"), "<p>from the configuration</p>");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  vi.unstubAllEnvs();
  vi.stubEnv("GITHUB_STEP_SUMMARY", "");
});

/** Sets the INPUT_* variables as the runner would for these `with:` values. */
async function runnerInputs(given: Record<string, string>): Promise<void> {
  const manifest = parse(await readFile(join(REPO_ROOT, "actions/deploy/action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  for (const [name, input] of Object.entries(manifest.inputs)) {
    const value = given[name] ?? input.default;
    if (value !== undefined) vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
  }
  for (const name of Object.keys(given)) {
    if (!(name in manifest.inputs)) throw new Error(`deploy has no input ${name}`);
  }
}

async function configFile(web: unknown): Promise<string> {
  const file = join(work, `shipline-${Math.random().toString(36).slice(2)}.yml`);
  const production: Record<string, unknown> = {
    cluster: "web",
    service: "api",
    containers: {
      api: {
        repository: "shipline/api",
        "base-image": `registry.example/base/node@sha256:${"a".repeat(64)}`,
        cmd: ["node", "server.mjs"],
      },
    },
    bucket: "entry-site",
  };
  if (web !== undefined) production.web = web;
  await writeFile(
    file,
    stringify({ version: 1, region: "eu-west-1", environments: { production } }),
  );
  return file;
}

async function run(): Promise<{ code: ExitCode; output: string }> {
  const lines: string[] = [];
  const sink = { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream;
  const code = await deployAction(new TerminalLogger({ out: sink, err: sink }), {
    ...process.env,
    GITHUB_RUN_ID: "3",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
  });
  process.exitCode = undefined;
  return { code, output: lines.join("") };
}

describe("deploy action inputs", () => {
  it("without a source input, publishes the configuration's web folder", async () => {
    await runnerInputs({ config: await configFile(site), "dry-run": "true" });
    const { code, output } = await run();
    expect(code, output).toBe(ExitCode.Success);
    expect(output).toContain(`${site}: 1 file(s)`);
  });

  it("takes the folder from web.source too", async () => {
    await runnerInputs({ config: await configFile({ source: site }), "dry-run": "true" });
    const { code, output } = await run();
    expect(code, output).toBe(ExitCode.Success);
    expect(output).toContain(`${site}: 1 file(s)`);
  });

  it("with neither a source input nor web in the configuration, refuses (exit 4): no default folder", async () => {
    await runnerInputs({ config: await configFile(undefined), "dry-run": "true" });
    const { code, output } = await run();
    expect(code, output).toBe(ExitCode.BadInput);
    expect(output).toMatch(/input "source" is required/);
  });
});
