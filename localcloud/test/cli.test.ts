import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "..", "bin", "localcloud.mjs");
const stateDir = mkdtempSync(join(tmpdir(), "localcloud-cli-"));
const started: ChildProcess[] = [];

interface Ready {
  ready: boolean;
  pid: number;
  endpoints: Record<string, string>;
  env: Record<string, string>;
}

/** `localcloud start` in the background; resolves with the line it prints when ready. */
const start = (): Promise<{ child: ChildProcess; ready: Ready }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "start", "--state-dir", stateDir, "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    started.push(child);
    child.once("exit", (code) => reject(new Error(`localcloud exited early with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.startsWith("{")) resolve({ child, ready: JSON.parse(line) as Ready });
    });
  });

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

afterAll(() => {
  for (const child of started) child.kill("SIGKILL");
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the localcloud command", () => {
  it("starts, serves, stops on `localcloud stop`, and keeps its data for the next start", async () => {
    const first = await start();
    expect(first.ready.ready).toBe(true);
    expect(existsSync(join(stateDir, "localcloud.json"))).toBe(true);
    const s3 = () =>
      new S3Client({
        endpoint: first.ready.endpoints.api,
        region: first.ready.env.AWS_REGION,
        forcePathStyle: true,
        credentials: {
          accessKeyId: first.ready.env.AWS_ACCESS_KEY_ID ?? "",
          secretAccessKey: first.ready.env.AWS_SECRET_ACCESS_KEY ?? "",
        },
      });
    await s3().send(new CreateBucketCommand({ Bucket: "kept" }));

    const stop = await run(process.execPath, [BIN, "stop", "--state-dir", stateDir]);
    expect(stop.stdout).toContain("localcloud stopped");
    expect(await exited(first.child)).toBe(0);
    expect(existsSync(join(stateDir, "localcloud.json"))).toBe(false);

    const second = await start();
    const client = new S3Client({
      endpoint: second.ready.endpoints.api,
      region: second.ready.env.AWS_REGION,
      forcePathStyle: true,
      credentials: {
        accessKeyId: second.ready.env.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: second.ready.env.AWS_SECRET_ACCESS_KEY ?? "",
      },
    });
    const buckets = await client.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain("kept");
    const env = await run(process.execPath, [BIN, "env", "--state-dir", stateDir]);
    expect(env.stdout).toContain(`export AWS_ENDPOINT_URL=${second.ready.endpoints.api}`);
    await run(process.execPath, [BIN, "stop", "--state-dir", stateDir]);
    expect(await exited(second.child)).toBe(0);
  });

  it("says so when nothing runs", async () => {
    const { stdout } = await run(process.execPath, [BIN, "stop", "--state-dir", stateDir]);
    expect(stdout).toContain("localcloud is not running");
  });

  it("refuses a bad port with a clear message", async () => {
    await expect(
      run(process.execPath, [BIN, "start", "--state-dir", stateDir, "--port", "99999"]),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('expected a port number 0-65535, got "99999"'),
    });
  });
});
