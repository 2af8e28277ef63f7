import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from "@aws-sdk/client-cloudfront";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock";
import { TimeoutError } from "../../src/lib/errors";
import { createInvalidation, waitForInvalidation } from "../../src/web/invalidate";
import { memoryLogger } from "./publish-helpers";

const cloudfront = mockClient(CloudFrontClient);
const busy = () => Object.assign(new Error("too many"), { name: "TooManyInvalidationsInProgress" });
const request = {
  distributionId: "E1TEST",
  paths: ["/", "/index.html"],
  callerReference: "shipline-r1-abc",
};

beforeEach(() => cloudfront.reset());

describe("createInvalidation", () => {
  it("backs off (doubling, capped) while CloudFront is busy, then creates it once", async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .rejectsOnce(busy())
      .rejectsOnce(busy())
      .rejectsOnce(busy())
      .rejectsOnce(busy())
      .resolves({ Invalidation: { Id: "I1", Status: "InProgress" } as never });
    const clock = new ManualClock();
    const created = await createInvalidation(new CloudFrontClient({}), request, {
      clock,
      logger: memoryLogger().logger,
      deadline: 60_000,
      backoffMs: 1_000,
      maxBackoffMs: 4_000,
    });
    expect(created).toMatchObject({ id: "I1", status: "InProgress" });
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 4_000]);
    const references = cloudfront
      .commandCalls(CreateInvalidationCommand)
      .map((call) => call.args[0].input.InvalidationBatch?.CallerReference);
    expect(new Set(references)).toEqual(new Set(["shipline-r1-abc"]));
  });

  it("gives up with a TimeoutError at the deadline, never later", async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(busy());
    const clock = new ManualClock();
    await expect(
      createInvalidation(new CloudFrontClient({}), request, {
        clock,
        logger: memoryLogger().logger,
        deadline: 10_000,
        backoffMs: 3_000,
      }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(clock.now()).toBe(10_000);
    expect(clock.sleeps).toEqual([3_000, 6_000, 1_000]);
  });
});

describe("waitForInvalidation", () => {
  it("polls until Completed", async () => {
    cloudfront
      .on(GetInvalidationCommand)
      .resolvesOnce({ Invalidation: { Status: "InProgress" } as never })
      .resolves({ Invalidation: { Status: "Completed" } as never });
    const clock = new ManualClock();
    const done = await waitForInvalidation(
      new CloudFrontClient({}),
      { distributionId: "E1TEST", id: "I1", paths: ["/"], status: "InProgress" },
      { clock, logger: memoryLogger().logger, deadline: 60_000, pollMs: 500 },
    );
    expect(done.status).toBe("Completed");
    expect(clock.sleeps).toEqual([500, 1_000]);
  });

  it("rides out a 503 on GetInvalidation: a poll that fails is asked again", async () => {
    cloudfront
      .on(GetInvalidationCommand)
      .rejectsOnce(
        Object.assign(new Error("Service Unavailable"), {
          name: "ServiceUnavailable",
          $metadata: { httpStatusCode: 503 },
        }),
      )
      .resolves({ Invalidation: { Status: "Completed" } as never });
    const clock = new ManualClock();
    const done = await waitForInvalidation(
      new CloudFrontClient({}),
      { distributionId: "E1TEST", id: "I1", paths: ["/"], status: "InProgress" },
      { clock, logger: memoryLogger().logger, deadline: 60_000, pollMs: 500 },
    );
    expect(done.status).toBe("Completed");
    expect(cloudfront.commandCalls(GetInvalidationCommand)).toHaveLength(2);
  });

  it("honours the timeout while it stays InProgress", async () => {
    cloudfront
      .on(GetInvalidationCommand)
      .resolves({ Invalidation: { Status: "InProgress" } as never });
    const clock = new ManualClock();
    await expect(
      waitForInvalidation(
        new CloudFrontClient({}),
        { distributionId: "E1TEST", id: "I1", paths: ["/"], status: "InProgress" },
        { clock, logger: memoryLogger().logger, deadline: 5_000, pollMs: 1_000 },
      ),
    ).rejects.toThrow(/still InProgress when the wait timed out/);
    expect(clock.now()).toBe(5_000);
  });
});
