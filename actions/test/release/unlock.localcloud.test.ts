import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { lockKey } from "../../src/ledger/keys";
import { systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { acquireLock, inspectLock, readLock } from "../../src/release/lock";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

let cloud: S3Cloud;
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

beforeAll(async () => {
  cloud = await startS3Cloud();
});
afterAll(async () => {
  await cloud?.dispose();
});

/** A run holding the lock of "production" in `bucket`, with the given TTL. */
async function holder(bucket: string, ttlMs: number) {
  await createBucket(cloud, bucket);
  return acquireLock(s3Of(cloud), {
    bucket,
    ledgerPrefix: ".shipline/",
    environment: "production",
    holder: { releaseId: "r-holder", run: "77.1", actor: "alice", command: "deploy" },
    ttlMs,
    clock: systemClock,
    logger: new TerminalLogger({ out: quiet, err: quiet }),
  });
}

async function unlock(bucket: string, ...flags: string[]) {
  const lines: string[] = [];
  const capture = { write: (chunk: string) => lines.push(chunk) > 0 } as never;
  const env = {
    AWS_ENDPOINT_URL: cloud.endpoint,
    AWS_REGION: cloud.region,
    AWS_ACCESS_KEY_ID: cloud.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: cloud.credentials.secretAccessKey,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const since = cloud.requestLog.lastSeq;
  const code = await runCli(
    ["unlock", "--bucket", bucket, "--environment", "production", "--config", "", ...flags],
    { env, logger: new TerminalLogger({ out: capture, err: capture }) },
  ).finally(() => vi.unstubAllEnvs());
  const deletes = cloud.requestLog
    .list({ sinceSeq: since })
    .filter((call) => call.operation === "DeleteObject");
  return { code, output: lines.join(""), deletes: deletes.length };
}

const lockOf = (bucket: string) => readLock(s3Of(cloud), bucket, ".shipline/", "production");

describe("shipline unlock", () => {
  it("shows the holder and refuses a lock that is still heartbeating, unless --force", async () => {
    await holder("unlock-live", 60_000);
    const refused = await unlock("unlock-live");
    expect(refused.code, refused.output).toBe(3);
    expect(refused.output).toContain(
      "locked by the deploy of release r-holder (run 77.1 by alice)",
    );
    expect(refused.output).toMatch(/still heartbeating .*Nothing was removed/);
    expect(refused.deletes).toBe(0);
    expect((await lockOf("unlock-live"))?.holder.run).toBe("77.1");

    const dry = await unlock("unlock-live", "--force", "--dry-run");
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain("dry run: would remove");
    expect(dry.deletes).toBe(0);
    expect(await lockOf("unlock-live")).toBeDefined();

    const forced = await unlock("unlock-live", "--force");
    expect(forced.code, forced.output).toBe(0);
    expect(forced.output).toContain("removed the lock");
    expect(await lockOf("unlock-live")).toBeUndefined();
  });

  it("removes without --force a lock whose holder stopped renewing it", async () => {
    // A 2 s TTL: not renewed for half of it (by S3's clock) means nobody is behind it.
    await holder("unlock-dead", 2_000);
    const key = lockKey(".shipline/", "production");
    for (const started = Date.now(); Date.now() - started < 10_000; ) {
      const state = await inspectLock(s3Of(cloud), "unlock-dead", key, systemClock);
      if (state && !state.heartbeating) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const dry = await unlock("unlock-dead", "--dry-run");
    expect(dry.output).toContain("dry run: would remove");
    expect(dry.deletes).toBe(0);
    const removed = await unlock("unlock-dead");
    expect(removed.code, removed.output).toBe(0);
    expect(removed.output).toContain("run 77.1 by alice");
    expect(removed.deletes).toBe(1);
    expect(await lockOf("unlock-dead")).toBeUndefined();
  });

  it("says so when there is no lock", async () => {
    await createBucket(cloud, "unlock-free");
    const free = await unlock("unlock-free");
    expect(free.code, free.output).toBe(0);
    expect(free.output).toContain('environment "production" is not locked');
    expect(free.deletes).toBe(0);
  });
});
