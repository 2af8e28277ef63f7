import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ACTION_ENTRIES } from "../../scripts/build-dist";
import { REPO_ROOT } from "../helpers/fixtures";

const run = promisify(execFile);
const PACKAGE = join(REPO_ROOT, "packages/cli");
let work = "";
let tarball = "";

// npm and npx run with this Node first on the PATH, as a user's shell would find them.
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
  npm_config_update_notifier: "false",
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "shipline-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: PACKAGE,
    env,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string }[];
  tarball = join(work, packed?.filename ?? "");
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("the shipline npm package", () => {
  it("is the committed bundle, with no dependencies", async () => {
    const manifest = JSON.parse(await readFile(join(PACKAGE, "package.json"), "utf8"));
    expect(manifest.bin).toEqual({ shipline: "bin/shipline.mjs" });
    expect(manifest.dependencies).toBeUndefined();
    // Every chunk the package holds is the committed one, byte for byte.
    const chunks = await readdir(join(PACKAGE, "dist/chunks"));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(await readFile(join(PACKAGE, "dist/chunks", chunk))).toEqual(
        await readFile(join(REPO_ROOT, "actions/dist/chunks", chunk)),
      );
    }
    const size = (await stat(tarball)).size;
    console.log(`package ${tarball}: ${(size / 1024).toFixed(0)} KiB, ${chunks.length} chunks`);
  });

  it("installs into an empty folder offline, from an empty cache, and `npx shipline` runs", async () => {
    const app = join(work, "app");
    await mkdir(app);
    const cache = join(work, "cache");
    // --offline with a cache of its own: any dependency to fetch would fail the install.
    await run(
      "npm",
      ["install", tarball, "--offline", "--cache", cache, "--no-audit", "--no-fund"],
      { cwd: app, env },
    );
    const help = await run("npx", ["--offline", "--cache", cache, "shipline", "--help"], {
      cwd: app,
      env,
    });
    expect(help.stdout).toMatch(/^Usage: shipline /);
    for (const command of ["init", "bootstrap", "deploy", "rollback", "status"]) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
    }
    const init = await run("npx", ["--offline", "--cache", cache, "shipline", "init", "--help"], {
      cwd: app,
      env,
    });
    expect(init.stdout).toContain("--cluster <value>");
    // A bad input ends with exit 4 and the message, as from the repository.
    const bad = await run("npx", ["--offline", "--cache", cache, "shipline", "init"], {
      cwd: app,
      env,
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect("code" in bad ? bad.code : 0).toBe(4);
  }, 120_000);
});

describe("the actions, used as <owner>/shipline/actions/<name>@<ref>", () => {
  it("run from a checkout of the repository elsewhere, their main relative to their folder", async () => {
    // GitHub downloads the repository at the ref into _actions/<owner>/<repo>/<ref>/ and runs
    // runs.main relative to the action's folder, with the caller's workspace as the cwd.
    const checkout = join(work, "_actions/acme/shipline/v1");
    await cp(join(REPO_ROOT, "actions/dist"), join(checkout, "actions/dist"), { recursive: true });
    const workspace = join(work, "workspace");
    await mkdir(workspace, { recursive: true });
    const actions = Object.keys(ACTION_ENTRIES);
    expect(actions.length).toBeGreaterThanOrEqual(7);
    for (const action of actions) {
      await cp(
        join(REPO_ROOT, "actions", action, "action.yml"),
        join(checkout, "actions", action, "action.yml"),
      );
      const manifest = parse(
        await readFile(join(checkout, "actions", action, "action.yml"), "utf8"),
      ) as { runs: { main: string } };
      const main = join(checkout, "actions", action, manifest.runs.main);
      expect(main.startsWith(checkout), action).toBe(true);
      // No inputs: the action answers as it does in this repository, exit 4 naming the input.
      const ran = await run(process.execPath, [main], {
        cwd: workspace,
        env: { PATH: env.PATH },
      }).catch((error: { code: number; stdout: string }) => error);
      expect("code" in ran ? ran.code : 0, action).toBe(4);
      expect(ran.stdout, action).toMatch(/^::error::input "[a-z-]+" is required/m);
    }
  }, 60_000);
});
