import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { lockKey } from "../../src/ledger/keys";
import { Ledger } from "../../src/ledger/releases";
import { CancelledError } from "../../src/lib/cancel";
import { type Clock, systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import {
  acquireLock,
  inspectLock,
  LockHeldError,
  LockLostError,
  readLock,
} from "../../src/release/lock";
import type { RunContext } from "../../src/release/record";
import { withReleaseSession } from "../../src/release/session";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

let cloud: S3Cloud;
const logger = new TerminalLogger({
  out: { write: () => true } as never,
  err: { write: () => true } as never,
});

beforeAll(async () => {
  cloud = await startS3Cloud();
});
afterAll(async () => {
  await cloud?.dispose();
});
afterEach(() => cloud?.faults.clear());

const context = (run: string): RunContext => ({ commit: "0123456789abcdef", run, actor: "tester" });

function session(bucket: string, run: string, clock: Clock = systemClock, ttlMs = 60_000) {
  return {
    s3: s3Of(cloud),
    bucket,
    ledgerPrefix: ".shipline/",
    environment: "production",
    releaseId: `0123456789ab-${run}`,
    context: context(run),
    trigger: "push" as const,
    command: "deploy",
    lockTtlMs: ttlMs,
    clock,
    logger,
  };
}

/** Waits (bounded) until S3's own clock says the environment's lock is past its TTL. */
async function expiredByS3(bucket: string): Promise<void> {
  const key = lockKey(".shipline/", "production");
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    const state = await inspectLock(s3Of(cloud), bucket, key, systemClock);
    if (!state || state.expired) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the lock did not expire by S3's clock within 10 s");
}

/** The runner's clock off by `offsetMs`: what a CI machine with a wrong clock sees. */
const skewed = (offsetMs: number): Clock => ({
  now: () => Date.now() + offsetMs,
  sleep: systemClock.sleep,
});

const HOUR = 3_600_000;

describe("one deploy per environment", () => {
  it("two deploys at once: exactly one runs, the other fails fast naming the holder (20 trials)", async () => {
    await createBucket(cloud, "ledger-race");
    const winners: string[] = [];
    for (let trial = 0; trial < 20; trial++) {
      const ran: string[] = [];
      const attempt = (run: string) =>
        withReleaseSession(session("ledger-race", run), async (release) => {
          ran.push(run);
          await release.step("work", () => new Promise((resolve) => setTimeout(resolve, 20)));
        });
      const started = Date.now();
      const outcomes = await Promise.allSettled([attempt(`${trial}a`), attempt(`${trial}b`)]);
      const fulfilled = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const rejected = outcomes.flatMap((outcome) =>
        outcome.status === "rejected" ? [outcome.reason as Error] : [],
      );
      expect(fulfilled).toHaveLength(1);
      expect(ran).toHaveLength(1);
      expect(rejected[0]).toBeInstanceOf(LockHeldError);
      expect(rejected[0]?.message).toContain(
        `release 0123456789ab-${ran[0]} (run ${ran[0]} by tester)`,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      winners.push(`0123456789ab-${ran[0]}`);
    }
    const ledger = new Ledger(s3Of(cloud), "ledger-race", ".shipline/", "production");
    const history = await ledger.history(50);
    // Only winners have records, every one live, in the order they ran.
    expect(history.map((record) => record.id)).toEqual([...winners].reverse());
    expect(history.every((record) => record.status === "live")).toBe(true);
    const live = await ledger.live();
    expect(live?.value.releaseId).toBe(winners[19]);
    expect(live?.value.previous).toEqual(winners.slice(0, 19).reverse());
    expect(await readLock(s3Of(cloud), "ledger-race", ".shipline/", "production")).toBeUndefined();
  });

  it("an expired lock is taken over; the dead run can neither renew nor release it", async () => {
    await createBucket(cloud, "ledger-expiry");
    const crashed = await acquireLock(s3Of(cloud), {
      ...session("ledger-expiry", "dead"),
      ttlMs: 1_000,
      holder: { releaseId: "r-dead", run: "dead", actor: "tester", command: "deploy" },
    });
    // Before expiry the next run is refused, naming the holder.
    await expect(
      withReleaseSession(session("ledger-expiry", "early"), async () => {}),
    ).rejects.toThrow(/locked by the deploy of release r-dead \(run dead by tester\)/);
    await expiredByS3("ledger-expiry");
    const record = await withReleaseSession(session("ledger-expiry", "next"), async (release) => {
      const lock = await readLock(s3Of(cloud), "ledger-expiry", ".shipline/", "production");
      expect(lock?.holder.run).toBe("next");
      // The dead run waking up must not remove or extend the new holder's lock.
      await expect(crashed.renew()).rejects.toThrow(/lost the lock/);
      await crashed.release();
      expect(
        (await readLock(s3Of(cloud), "ledger-expiry", ".shipline/", "production"))?.holder.run,
      ).toBe("next");
      await release.step("work", async () => {});
    });
    expect(record.status).toBe("live");
  });

  it("a step longer than the lock's lifetime keeps the lock: the heartbeat renews it", async () => {
    await createBucket(cloud, "ledger-heartbeat");
    const ttlMs = 1_500;
    let refused: Error | undefined;
    const record = await withReleaseSession(
      session("ledger-heartbeat", "long", systemClock, ttlMs),
      async (release) => {
        await release.step("slow gate", async () => {
          await new Promise((resolve) => setTimeout(resolve, 3 * ttlMs));
          // Twice the lifetime later, another run is still refused: the lock was renewed.
          refused = await withReleaseSession(
            session("ledger-heartbeat", "other"),
            async () => {},
          ).then(
            () => undefined,
            (error: Error) => error,
          );
        });
      },
    );
    expect(record.status).toBe("live");
    expect(refused).toBeInstanceOf(LockHeldError);
  });

  it("a failing step is recorded with its reason and the live pointer does not move", async () => {
    await createBucket(cloud, "ledger-failure");
    await withReleaseSession(session("ledger-failure", "good"), async () => {});
    await expect(
      withReleaseSession(session("ledger-failure", "bad"), async (release) => {
        await release.step("service", async () => {
          throw new Error("the gate saw unhealthy targets");
        });
      }),
    ).rejects.toThrow("unhealthy");
    const ledger = new Ledger(s3Of(cloud), "ledger-failure", ".shipline/", "production");
    const bad = await ledger.read("0123456789ab-bad");
    expect(bad).toMatchObject({
      status: "failed",
      failure: { step: "service", message: "the gate saw unhealthy targets" },
    });
    expect((await ledger.live())?.value.releaseId).toBe("0123456789ab-good");
  });
});

describe("the lock by S3's clock, not the runner's", () => {
  it.each([
    { taker: "1 hour fast", holderOffset: -HOUR, takerOffset: HOUR },
    { taker: "1 hour slow", holderOffset: HOUR, takerOffset: -HOUR },
  ])(
    "a runner $taker neither takes over a live lock nor keeps out of a dead one",
    async ({ holderOffset, takerOffset }) => {
      const bucket = `ledger-skew-${takerOffset > 0 ? "fast" : "slow"}`;
      await createBucket(cloud, bucket);
      // A run on a machine whose clock is off the other way took the lock, then died.
      await acquireLock(s3Of(cloud), {
        ...session(bucket, "dead", skewed(holderOffset)),
        ttlMs: 2_000,
        holder: { releaseId: "r-dead", run: "dead", actor: "tester", command: "deploy" },
      });
      // Live by S3's clock: refused, however far the taker's clock is ahead.
      await expect(
        withReleaseSession(session(bucket, "early", skewed(takerOffset)), async () => {}),
      ).rejects.toBeInstanceOf(LockHeldError);
      // Dead by S3's clock: taken over, however far the taker's clock is behind.
      await expiredByS3(bucket);
      const record = await withReleaseSession(
        session(bucket, "next", skewed(takerOffset)),
        async (release) => {
          expect(
            (await readLock(s3Of(cloud), bucket, ".shipline/", "production"))?.holder.run,
          ).toBe("next");
          await release.step("work", async () => {});
        },
      );
      expect(record.status).toBe("live");
    },
  );

  it("a single failed heartbeat does not fail the release", async () => {
    await createBucket(cloud, "ledger-blip");
    const ttlMs = 3_000;
    const since = cloud.requestLog.lastSeq;
    const record = await withReleaseSession(
      session("ledger-blip", "blip", systemClock, ttlMs),
      async (release) => {
        await release.step("slow gate", async () => {
          // The only write while this step runs is the heartbeat's: its next renewal fails.
          cloud.faults.add({ service: "s3", operation: "PutObject", kind: "error", count: 1 });
          await new Promise((resolve) => setTimeout(resolve, ttlMs));
        });
        await release.step("web", async () => {});
      },
    );
    expect(record.status).toBe("live");
    expect(record.steps.map((step) => step.name)).toEqual(["slow gate", "web"]);
    const failed = cloud.requestLog
      .list({ sinceSeq: since, operation: "PutObject" })
      .filter((entry) => entry.fault);
    expect(failed).toHaveLength(1);
    expect(await readLock(s3Of(cloud), "ledger-blip", ".shipline/", "production")).toBeUndefined();
  });

  it("a lock taken over meanwhile stops the run before its next step", async () => {
    await createBucket(cloud, "ledger-lost");
    const ttlMs = 1_500;
    const ran: string[] = [];
    const outcome = withReleaseSession(
      session("ledger-lost", "loser", systemClock, ttlMs),
      async (release) => {
        await release.step("service", async () => {
          ran.push("service");
          // Someone else's lock replaces ours (as after an expiry and a takeover).
          await s3Of(cloud).send(
            new PutObjectCommand({
              Bucket: "ledger-lost",
              Key: lockKey(".shipline/", "production"),
              Body: JSON.stringify({
                format: "shipline.lock/1",
                environment: "production",
                holder: { releaseId: "r-other", run: "other", actor: "x", command: "deploy" },
                acquiredAt: new Date().toISOString(),
                expiresAt: new Date(Date.now() + 60_000).toISOString(),
                ttlMs: 60_000,
              }),
            }),
          );
          await new Promise((resolve) => setTimeout(resolve, 4 * 250));
        });
        await release.step("web", async () => {
          ran.push("web");
        });
      },
    );
    await expect(outcome).rejects.toBeInstanceOf(LockLostError);
    expect(ran).toEqual(["service"]);
    const ledger = new Ledger(s3Of(cloud), "ledger-lost", ".shipline/", "production");
    expect(await ledger.read("0123456789ab-loser")).toMatchObject({
      status: "failed",
      failure: { step: "web" },
    });
    expect(await ledger.live()).toBeUndefined();
    // The other run's lock is left alone.
    expect(
      (await readLock(s3Of(cloud), "ledger-lost", ".shipline/", "production"))?.holder.run,
    ).toBe("other");
  });

  it("a cancelled run stops before its next step, records cancelled and releases the lock", async () => {
    await createBucket(cloud, "ledger-cancel");
    const controller = new AbortController();
    const ran: string[] = [];
    const outcome = withReleaseSession(
      { ...session("ledger-cancel", "stopped"), signal: controller.signal },
      async (release) => {
        await release.step("images", async () => {
          ran.push("images");
          controller.abort(new CancelledError("SIGINT"));
        });
        await release.step("service", async () => {
          ran.push("service");
        });
      },
    );
    const error = await outcome.catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(130);
    expect(ran).toEqual(["images"]);
    const ledger = new Ledger(s3Of(cloud), "ledger-cancel", ".shipline/", "production");
    expect(await ledger.read("0123456789ab-stopped")).toMatchObject({
      status: "cancelled",
      failure: { step: "service", message: "stopped by SIGINT" },
    });
    // The lock is gone at once: the next run starts without waiting for the TTL.
    expect(
      await readLock(s3Of(cloud), "ledger-cancel", ".shipline/", "production"),
    ).toBeUndefined();
    const next = await withReleaseSession(session("ledger-cancel", "after"), async () => {});
    expect(next.status).toBe("live");
  });
});

describe("shipline history", () => {
  it("lists the releases newest first with the live one marked and the failure reason", async () => {
    await createBucket(cloud, "ledger-history");
    await withReleaseSession(session("ledger-history", "one"), async () => {});
    await withReleaseSession(session("ledger-history", "two"), async () => {}).catch(() => {});
    await withReleaseSession(session("ledger-history", "three"), async (release) => {
      await release.step("web", async () => {
        throw new Error("no index.html");
      });
    }).catch(() => {});
    const lines: string[] = [];
    const capture = { write: (chunk: string) => lines.push(chunk) > 0 } as never;
    const { runCli } = await import("../../src/cli/program");
    // The SDK reads its endpoint, region and credentials from the process environment.
    const env = {
      AWS_ENDPOINT_URL: cloud.endpoint,
      AWS_REGION: cloud.region,
      AWS_ACCESS_KEY_ID: cloud.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cloud.credentials.secretAccessKey,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const code = await runCli(
      ["history", "--bucket", "ledger-history", "--environment", "production", "--config", ""],
      { env, logger: new TerminalLogger({ out: capture, err: capture }) },
    ).finally(() => vi.unstubAllEnvs());
    expect(code, lines.join("")).toBe(0);
    const table = lines.join("");
    const rows = table
      .split("\n")
      .filter((line) => line.includes("0123456789ab-") && !line.includes("="));
    expect(rows.map((row) => row.match(/0123456789ab-(\w+)/)?.[1])).toEqual([
      "three",
      "two",
      "one",
    ]);
    expect(rows[0]).toMatch(/failed .* web: no index.html/);
    expect(rows[1]).toMatch(/^▶ .*live/);
    expect(table).toContain("live-release=0123456789ab-two");
  });
});
