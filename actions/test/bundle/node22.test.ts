import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/fixtures";

const exec = promisify(execFile);
const CLI = join(REPO_ROOT, "actions/dist/shipline.mjs");

let node22: string;

/** Runs the committed CLI bundle on Node 22 with a bare environment; never throws. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(node22, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// The CLI's package promises Node >= 22 (the actions themselves run on 24): the pinned Node 22
// release, installed by the project's own script on first use (from the npm registry).
beforeAll(async () => {
  const { stdout } = await exec("bash", [join(REPO_ROOT, "scripts/install-node.sh"), "22"], {
    timeout: 300_000,
  });
  node22 = join(stdout.trim(), "node");
}, 320_000);

describe("the CLI bundle on Node 22", () => {
  it("runs on a Node 22 release", async () => {
    const { stdout } = await exec(node22, ["-p", "process.versions.node"]);
    expect(stdout.trim()).toMatch(/^22\./);
  });

  it("prints its help and exits 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Usage: shipline");
    expect(run.stdout).toContain("deploy-service");
  });

  it("rejects a bad input with exit code 4, naming the input", async () => {
    const run = await runCli([
      "publish-web",
      "--source",
      "site",
      "--bucket",
      "www",
      "--wait-timeout",
      "soon",
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stderr).toContain('input "wait-timeout" must be a duration');
  });
});
