// `npm run demo -- --once`, as a user runs it (minus the install step).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoDir = join(import.meta.dirname, "..", "..");
const tsx = join(repoDir, "node_modules", ".bin", "tsx");
const demo = join(repoDir, "nginx", "demo", "main.ts");
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("demo --once", () => {
  it("serves the SPA and the API through nginx, then stops everything", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "shipline-demo-"));
    folders.push(stateDir);
    const { stdout } = await run(tsx, [demo, "--once", "--port", "0", "--state-dir", stateDir], {
      cwd: repoDir,
      timeout: 150_000,
    });
    expect(stdout).toMatch(/^✓ GET \/ returns the SPA: 200 text\/html/m);
    expect(stdout).toMatch(/^✓ GET \/api\/healthz answers through nginx: 200 \{"status":"ok"\}/m);
    const url = stdout.match(/^demo ok at (http:\/\/127\.0\.0\.1:\d+\/)$/m)?.[1];
    expect(url).toBeDefined();
    // Everything was stopped on the way out: nothing answers there any more.
    await expect(fetch(url ?? "")).rejects.toThrow();
  }, 180_000);

  it("refuses a bad option with a message that quotes it", async () => {
    const failure = await run(tsx, [demo, "--once", "--port", "eighty"], { cwd: repoDir }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('--port "eighty"');
  });
});
