import { spawn } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/fixtures";

/**
 * `npm run demo -- --once` end to end: localcloud, the stack, releases 1 and 2, a bad release 3
 * that rolls itself back, a manual rollback to 1, with a probe through the edge. The demo prints
 * its checks and exits 1 when one fails; this runs it as a user would and reads them.
 */
describe("the demo", () => {
  it("runs the whole pipeline on this machine and every check passes", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "shipline-demo-"));
    // A bridge of its own: localcloud refuses the default lcbr0 when another state folder made
    // it (a developer's demo, or one a killed run left behind).
    const { uniqueTestNetwork } = (await import(
      /* @vite-ignore */ join(REPO_ROOT, "localcloud/test/runtime/fixtures.ts")
    )) as { uniqueTestNetwork(): Promise<{ bridge: string; subnet: string }> };
    const network = await uniqueTestNetwork();
    try {
      const { code, output } = await new Promise<{ code: number; output: string }>(
        (resolve, reject) => {
          const child = spawn(
            "npx",
            [
              "tsx",
              "actions/scripts/demo/main.ts",
              "--once",
              "--state-dir",
              stateDir,
              "--bridge",
              network.bridge,
              "--subnet",
              network.subnet,
            ],
            {
              cwd: REPO_ROOT,
            },
          );
          let output = "";
          child.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString();
          });
          child.stderr.on("data", (chunk: Buffer) => {
            output += chunk.toString();
          });
          child.on("error", reject);
          child.on("close", (exit) => resolve({ code: exit ?? 1, output }));
        },
      );
      const checks = output.slice(output.indexOf("━━ checks"));
      expect(checks, output.slice(-4000)).toContain("✓ release 3 rolled itself back");
      expect(checks).not.toContain("✗");
      expect(checks).toContain("✓ no failed request through the edge: 0 of");
      // The demo's site goes live and rolls back in web-mode atomic: one PutKey each.
      expect(checks).toContain("✓ no invalidation (web-mode atomic");
      expect(code).toBe(0);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 600_000);

  it("--example names one of examples/, else exits 4 before it starts anything", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "shipline-demo-example-"));
    try {
      const { code, output } = await new Promise<{ code: number; output: string }>(
        (resolve, reject) => {
          const child = spawn(
            "npx",
            [
              "tsx",
              "actions/scripts/demo/main.ts",
              "--once",
              "--example",
              "django-api",
              "--state-dir",
              join(stateDir, "state"),
            ],
            { cwd: REPO_ROOT },
          );
          let output = "";
          child.stderr.on("data", (chunk: Buffer) => {
            output += chunk.toString();
          });
          child.on("error", reject);
          child.on("close", (exit) => resolve({ code: exit ?? 1, output }));
        },
      );
      expect(output).toContain(
        '--example: expected one of flask-api (a folder of examples/), got "django-api"',
      );
      expect(code).toBe(4);
      // Nothing started: not even the state folder.
      await expect(access(join(stateDir, "state"))).rejects.toThrow();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
