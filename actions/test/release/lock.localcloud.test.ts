import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Clock, systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { Ledger } from "../../src/release/ledger";
import { acquireLock, LockHeldError, readLock } from "../../src/release/lock";
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
    const later: Clock = { now: () => Date.now() + 2_000, sleep: systemClock.sleep };
    const record = await withReleaseSession(
      session("ledger-expiry", "next", later),
      async (release) => {
        const lock = await readLock(s3Of(cloud), "ledger-expiry", ".shipline/", "production");
        expect(lock?.holder.run).toBe("next");
        // The dead run waking up must not remove or extend the new holder's lock.
        await expect(crashed.renew()).rejects.toThrow(/lost the lock/);
        await crashed.release();
        expect(
          (await readLock(s3Of(cloud), "ledger-expiry", ".shipline/", "production"))?.holder.run,
        ).toBe("next");
        await release.step("work", async () => {});
      },
    );
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
