import { execFile, execFileSync } from "node:child_process";
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

/**
 * Text only each heavy dependency's bundled code holds. A run that rejects its inputs or prints
 * the top-level help loads none of them (see bench/startup): each took longer to start than the
 * rest of such a run. (@actions/core also starts node:crypto, checked on its own.)
 */
const HEAVY_MARKERS: Record<string, string> = {
  zod: '"$ZodType"',
  "@actions/core": "missing.command",
  commander: "too many arguments",
  picomatch: "POSIX_REGEX_SOURCE",
  "the AWS SDK's core": "__smithy_context",
};

/** The heavy dependencies (HEAVY_MARKERS) among the files a run loaded. */
async function heavyLoaded(run: Run): Promise<string[]> {
  const found = new Set<string>();
  for (const url of run.modules.filter((url) => url.startsWith("file:"))) {
    const text = await readFile(new URL(url), "utf8");
    for (const [name, marker] of Object.entries(HEAVY_MARKERS)) {
      if (text.includes(marker)) found.add(name);
    }
  }
  return [...found].sort();
}

/** What a run that only rejects its inputs (or prints the help) must not load. */
async function expectLean(run: Run): Promise<void> {
  expect(run.modules.filter((url) => NETWORK_MODULES.includes(url))).toEqual([]);
  expect(run.modules).not.toContain("node:crypto");
  expect(await heavyLoaded(run)).toEqual([]);
}

const SHIPLINE = join(REPO_ROOT, "actions/dist/shipline.mjs");

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
      // In an empty folder: no shipline.yml around to fill inputs in.
      { cwd: work, env: { PATH: process.env.PATH ?? "", RECORD_MODULES_TO: record, ...env } },
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

  it("every heavy dependency the lean paths are checked for is in the bundle, findable", async () => {
    // Otherwise a marker that no longer matches would let its dependency back unnoticed.
    const files = execFileSync("git", ["ls-files", "actions/dist/*.mjs", "actions/dist/chunks"], {
      cwd: REPO_ROOT,
    })
      .toString()
      .split("\n")
      .filter(Boolean);
    const texts = await Promise.all(files.map((file) => readFile(join(REPO_ROOT, file), "utf8")));
    for (const [name, marker] of Object.entries(HEAVY_MARKERS)) {
      expect(texts.filter((text) => text.includes(marker)).length, name).toBeGreaterThan(0);
    }
  });

  it.each(Object.keys(ACTION_ENTRIES))(
    "the %s action rejects missing inputs with exit code 4, loading only its input parsers",
    async (action) => {
      // No INPUT_* at all: GitHub passes unset inputs as absent variables.
      const run = await runBundle(await actionMain(action), [], {});
      expect(run.code, run.stdout + run.stderr).toBe(4);
      expect(run.stdout).toMatch(/^::error::input "[a-z-]+" is required/m);
      await expectLean(run);
    },
  );

  it("an action's bad input is reported as @actions/core reports it: one escaped annotation", async () => {
    const run = await runBundle(await actionMain("publish-web"), [], {
      INPUT_SOURCE: "site",
      INPUT_BUCKET: "www-example",
      INPUT_CONCURRENCY: "100%",
      "INPUT_KEEP-RELEASES": "many",
    });
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stdout).toBe(
      '::error::input "keep-releases" must be a whole number from 0 to 100, got "many"%0Ainput "concurrency" must be a whole number from 1 to 64, got "100%25"\n',
    );
    await expectLean(run);
  });

  it("`shipline --help` lists the commands, as the program would, loading none of it", async () => {
    const run = await runBundle(SHIPLINE, ["--help"], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("publish-web");
    expect(run.stdout).toContain("rollback");
    await expectLean(run);
    // A program option first: commander answers, and must say the same.
    const program = await runBundle(SHIPLINE, ["--verbose", "--help"], {});
    expect(await heavyLoaded(program)).toContain("commander");
    expect(run.stdout).toBe(program.stdout);
  });

  it("the CLI rejects a bad input with exit code 4, naming it, loading only its parsers", async () => {
    const run = await runBundle(
      SHIPLINE,
      ["publish-web", "--source", "site", "--bucket", "b", "--concurrency", "lots"],
      {},
    );
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stderr).toContain('input "concurrency"');
    await expectLean(run);
  });

  it.each<[string, string[], Record<string, string>]>([
    ["publish-web", ["--source", "site", "--bucket", "b", "--concurrency", "lots"], {}],
    ["publish-web", ["--distribution-id", "nope", "--distribution-id", "E2QWRUHAPOMQZL"], {}],
    ["publish-web", ["--concurrency", "0"], { GITHUB_ACTIONS: "true" }],
    ["invalidate", ["--paths", "/x", "--wait-timeout", "soon"], {}],
    ["promote", ["--repository", "api", "--digest", "sha256:nope"], {}],
    ["deploy-service", ["--cluster", "c", "--images", "web=nginx"], {}],
    ["deploy", ["--bucket", "www", "--lock-ttl", "0"], {}],
    ["rollback", ["--bucket", "", "--cluster", "c", "--dry-run"], {}],
    ["history", ["--bucket", "www", "--limit", "x"], { SHIPLINE_ENVIRONMENT: "Prod!" }],
    ["unlock", ["--force"], {}],
  ])("`shipline %s %s` answers quickly what the program answers", async (name, args, env) => {
    const quick = await runBundle(SHIPLINE, [name, ...args], env);
    // --verbose goes to the program: commander reads it.
    const program = await runBundle(SHIPLINE, ["--verbose", name, ...args], env);
    expect(await heavyLoaded(program)).toContain("commander");
    expect(await heavyLoaded(quick)).not.toContain("commander");
    expect(quick.code, quick.stdout + quick.stderr).toBe(4);
    expect([quick.code, quick.stdout, quick.stderr]).toEqual([
      program.code,
      program.stdout,
      program.stderr,
    ]);
  });
});
