import { ECSServiceException } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/lib/cancel";
import { ManualClock } from "../../src/lib/clock";
import { ExitCode } from "../../src/lib/errors";
import { isTransient, RetriesExhaustedError, retryTransient } from "../../src/lib/retry";

const sdkError = (name: string, status: number, extra: object = {}) =>
  Object.assign(
    new ECSServiceException({
      name,
      $fault: status >= 500 ? "server" : "client",
      $metadata: { httpStatusCode: status },
      message: name,
    }),
    extra,
  );

const reset = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });

describe("which failures are weather", () => {
  it.each([
    { what: "a throttle", error: sdkError("ThrottlingException", 400), transient: true },
    { what: "a 429", error: sdkError("TooManyRequestsException", 429), transient: true },
    { what: "a 500", error: sdkError("InternalFailure", 500), transient: true },
    { what: "a 503", error: sdkError("ServiceUnavailable", 503), transient: true },
    { what: "a 501 (other 5xx)", error: sdkError("NotImplemented", 501), transient: true },
    { what: "a reset connection", error: reset(), transient: true },
    { what: "access denied", error: sdkError("AccessDeniedException", 400), transient: false },
    {
      what: "a missing cluster",
      error: sdkError("ClusterNotFoundException", 400),
      transient: false,
    },
    {
      what: "an abort",
      error: Object.assign(new Error("aborted"), { name: "AbortError" }),
      transient: false,
    },
    { what: "a bug", error: new TypeError("x is undefined"), transient: false },
  ])("$what: transient $transient", ({ error, transient }) => {
    expect(isTransient(error)).toBe(transient);
  });
});

describe("retryTransient", () => {
  it("rides out a burst with growing, jittered waits and returns the answer", async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const answer = await retryTransient(
      "ECS DescribeServices",
      async () => {
        calls += 1;
        if (calls <= 4) throw sdkError("ThrottlingException", 400);
        return "answer";
      },
      { clock, deadline: 60_000, random: () => 0.5 },
    );
    expect(answer).toBe("answer");
    expect(calls).toBe(5);
    // Equal jitter: between half and all of 500 ms × 2^n.
    expect(clock.sleeps).toEqual([375, 750, 1_500, 3_000]);
  });

  it("does not retry an answer that is not weather", async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const denied = sdkError("AccessDeniedException", 400);
    await expect(
      retryTransient(
        "ECS DescribeServices",
        async () => {
          calls += 1;
          throw denied;
        },
        { clock, deadline: 60_000 },
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });

  it("gives up at the deadline, not before and not after, naming the operation (exit 3)", async () => {
    const clock = new ManualClock(1_000);
    let lastCallAt = 0;
    const error = await retryTransient(
      "ELBv2 DescribeTargetHealth",
      async () => {
        lastCallAt = clock.now();
        throw sdkError("InternalFailure", 500);
      },
      { clock, deadline: 1_000 + 120_000, random: () => 0.99 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).exitCode).toBe(ExitCode.TimedOut);
    expect((error as Error).message).toMatch(
      /^ELBv2 DescribeTargetHealth kept failing \(HTTP 500 InternalFailure\) for 2m;/,
    );
    expect(lastCallAt).toBe(121_000);
    expect(clock.now()).toBe(121_000);
  });

  it("a cancellation ends the wait between attempts", async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const error = await retryTransient(
      "ECS ListTasks",
      async () => {
        controller.abort(new CancelledError("SIGTERM"));
        throw reset();
      },
      { clock, deadline: 60_000, signal: controller.signal },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(143);
    expect(clock.sleeps).toEqual([]);
  });
});
