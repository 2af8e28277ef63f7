import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { Heartbeat } from "../../src/release/heartbeat";
import { LockLostError } from "../../src/release/lock";

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const TTL = 60_000;

/** A heartbeat whose renewals answer from `outcomes` in turn ("ok", "error", "lost"). */
function heartbeat(outcomes: ("ok" | "error" | "lost")[]) {
  const clock = new ManualClock(0);
  const renew = async () => {
    const outcome = outcomes.shift() ?? "ok";
    if (outcome === "error") throw new Error("HTTP 500 InternalError");
    if (outcome === "lost") throw new LockLostError("lost the lock");
  };
  const beat = new Heartbeat(
    { renew },
    { ttlMs: TTL, clock, logger: new TerminalLogger({ out: quiet, err: quiet }), environment: "p" },
  );
  return { beat, clock };
}

describe("the lock's heartbeat", () => {
  it("beats several times within half the TTL", () => {
    const { beat } = heartbeat([]);
    expect(beat.intervalMs).toBe(TTL / 6);
  });

  it("one failed renewal is not a lost lock; the next one succeeds", async () => {
    const { beat, clock } = heartbeat(["error", "ok"]);
    clock.advance(beat.intervalMs);
    await beat.beat();
    expect(beat.lost()).toBeUndefined();
    clock.advance(beat.intervalMs);
    await beat.beat();
    expect(beat.lost()).toBeUndefined();
  });

  it("renewals failing for half the TTL lose the lock, so the run stops before anyone takes over", async () => {
    const { beat, clock } = heartbeat(["error", "error", "error", "error"]);
    for (let i = 0; i < 2; i++) {
      clock.advance(beat.intervalMs);
      await beat.beat();
    }
    expect(beat.lost()).toBeUndefined();
    clock.advance(beat.intervalMs);
    await beat.beat();
    expect(beat.lost()).toBeInstanceOf(LockLostError);
    expect(beat.lost()?.message).toMatch(/could not renew the lock .* for 30 s, half its TTL/);
  });

  it("a lock taken over is lost at once", async () => {
    const { beat } = heartbeat(["lost"]);
    await beat.beat();
    expect(beat.lost()?.message).toBe("lost the lock");
  });
});
