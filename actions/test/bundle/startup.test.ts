import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_ENTRIES } from "../../scripts/build-dist";
import { actionMain, readActionManifest } from "../helpers/action-bundle";
import { REPO_ROOT } from "../helpers/fixtures";

/** Records every module a process resolves (files, chunks, built-ins) into a file at exit. */
const RECORDER = `
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on("exit", () => writeFileSync(process.env.RECORD_MODULES_TO, [...seen].join("\\n")));
`;

// The SDK's HTTP handler (and undici's) load these; a run that only rejects its inputs must not.
const NETWORK_MODULES = ["node:http", "node:https", "node:http2"];

let work: string;
let recorder: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  modules: string[];
}

/** Runs a committed bundle file the way GitHub or a pipeline would, with only `env` set. */
async function runBundle(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  const record = join(work, `modules-${Math.random().toString(36).slice(2)}`);
  const result = await new Promise<Omit<Run, "modules">>((resolve) => {
    execFile(
      process.execPath,
      ["--import", recorder, file, ...args],
      { env: { PATH: process.env.PATH ?? "", RECORD_MODULES_TO: record, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
  const modules = (await readFile(record, "utf8")).split("\n");
  return { ...result, modules };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "shipline-startup-"));
  recorder = join(work, "record-modules.mjs");
  await writeFile(recorder, RECORDER);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("the committed bundle", () => {
  it("every action runs on node24 from its entry in actions/dist", async () => {
    const folders = (await readdir(join(REPO_ROOT, "actions"), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const actions: string[] = [];
    for (const folder of folders) {
      const manifest = await readActionManifest(folder).catch(() => undefined);
      if (!manifest) continue;
      actions.push(folder);
      expect(manifest.runs.using, folder).toBe("node24");
      expect(manifest.runs.main, folder).toBe(`../dist/${folder}.mjs`);
      await expect(readFile(await actionMain(folder)), folder).resolves.toBeDefined();
    }
    expect(actions.sort()).toEqual(Object.keys(ACTION_ENTRIES).sort());
  });

  it.each(Object.keys(ACTION_ENTRIES))(
    "the %s action rejects missing inputs with exit code 4 before loading the SDK",
    async (action) => {
      // No INPUT_* at all: GitHub passes unset inputs as absent variables.
      const run = await runBundle(await actionMain(action), [], {});
      expect(run.code, run.stdout + run.stderr).toBe(4);
      expect(run.stdout).toMatch(/^::error::input "[a-z-]+" is required/m);
      expect(run.modules.filter((url) => NETWORK_MODULES.includes(url))).toEqual([]);
    },
  );

  it("`shipline --help` lists the commands and loads neither the SDK nor zod", async () => {
    const run = await runBundle(join(REPO_ROOT, "actions/dist/shipline.mjs"), ["--help"], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("publish-web");
    expect(run.stdout).toContain("rollback");
    expect(run.modules.filter((url) => NETWORK_MODULES.includes(url))).toEqual([]);
    // A command loads its schema (zod) when it runs; the GitHub logger (@actions/core, which
    // loads node:crypto) belongs to the actions.
    const files = run.modules.filter((url) => url.startsWith("file:"));
    const withZod = [];
    for (const url of files) {
      if ((await readFile(new URL(url), "utf8")).includes('"$ZodType"')) withZod.push(url);
    }
    expect(withZod).toEqual([]);
    expect(run.modules).not.toContain("node:crypto");
  });

  it("the CLI rejects a bad input with exit code 4, naming it, before loading the SDK", async () => {
    const run = await runBundle(
      join(REPO_ROOT, "actions/dist/shipline.mjs"),
      ["publish-web", "--source", "site", "--bucket", "b", "--concurrency", "lots"],
      {},
    );
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stderr).toContain('input "concurrency"');
    expect(run.modules.filter((url) => NETWORK_MODULES.includes(url))).toEqual([]);
  });
});
