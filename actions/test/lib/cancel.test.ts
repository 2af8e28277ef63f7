import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { CancelledError, cancelOnSignals } from "../../src/lib/cancel";
import { systemClock } from "../../src/lib/clock";

describe("SIGINT and SIGTERM as a cancellation token", () => {
  it.each([
    { signal: "SIGINT" as const, code: 130 },
    { signal: "SIGTERM" as const, code: 143 },
  ])(
    "$signal cancels with exit code $code; later signals are only acknowledged",
    ({ signal, code }) => {
      const target = new EventEmitter();
      const seen: string[] = [];
      const cancellation = cancelOnSignals(
        (name, first) => seen.push(`${name}:${first}`),
        target as unknown as NodeJS.Process,
      );
      expect(cancellation.signal.aborted).toBe(false);
      target.emit(signal);
      target.emit("SIGINT");
      expect(cancellation.signal.aborted).toBe(true);
      const reason = cancellation.signal.reason as CancelledError;
      expect(reason).toBeInstanceOf(CancelledError);
      expect(reason.exitCode).toBe(code);
      expect(seen).toEqual([`${signal}:true`, "SIGINT:false"]);
      cancellation.dispose();
      expect(target.listenerCount("SIGINT") + target.listenerCount("SIGTERM")).toBe(0);
    },
  );

  it("a sleep ends at once when cancelled", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(new CancelledError("SIGTERM")), 20);
    await expect(sleeping).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
