import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock";
import { ConfigurationError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { runRollback } from "../../src/release/commands";
import type { ReleaseDeps } from "../../src/release/deploy";
import { parseRollbackInputs } from "../../src/release/inputs";
import { withReleaseSession } from "../../src/release/session";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

/** Which release a rollback returns to, and the ones it refuses before touching anything. */
let cloud: S3Cloud;
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: quiet, err: quiet });

beforeAll(async () => {
  cloud = await startS3Cloud();
  await createBucket(cloud, "targets");
  const release = (run: string, fail = false) =>
    withReleaseSession(
      {
        s3: s3Of(cloud),
        bucket: "targets",
        ledgerPrefix: ".shipline/",
        environment: "production",
        releaseId: `r-${run}`,
        context: { commit: "c0ffee", run, actor: "tester" },
        trigger: "push",
        command: "deploy",
        lockTtlMs: 60_000,
        clock: systemClock,
        logger,
      },
      async (session) => {
        await session.record({
          taskDefinitionArn: `arn:aws:ecs:us-east-1:0:task-definition/web:${run}`,
        });
        if (fail) throw new Error("gate failed");
      },
    ).catch(() => undefined);
  await release("1");
  await release("2", true);
});
afterAll(async () => {
  await cloud?.dispose();
});

const deps = (): ReleaseDeps => ({
  s3: s3Of(cloud),
  cloudfront: () => {
    throw new Error("not reached");
  },
  // Refusals happen before any service call: an unusable client proves it.
  service: new Proxy(
    {},
    { get: () => ({ send: () => Promise.reject(new Error("not reached")) }) },
  ) as never,
  ecr: () => {
    throw new Error("not reached");
  },
  clock: systemClock,
  logger,
  env: {},
});

const attempt = (to: string, release?: string) =>
  runRollback(
    parseRollbackInputs({
      environment: "production",
      bucket: "targets",
      cluster: "c",
      service: "s",
      to,
      ...(release ? { release } : {}),
    }),
    deps(),
  );

describe("rollback targets", () => {
  it.each([
    ["previous", undefined, /has no previous live release/],
    ["r-1", undefined, /"r-1" is the live release already/],
    ["r-2", undefined, /"r-2" never went live \(status failed\)/],
    ["r-9", undefined, /"r-9" is not in the ledger/],
    ["release", undefined, /input "release" is required when "to" is release/],
    ["release", "r-2", /never went live/],
  ])("--to %s %s is refused before anything changes", async (to, release, message) => {
    const since = cloud.requestLog.lastSeq;
    const error = await attempt(to, release).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    const writes = cloud.requestLog
      .list({ sinceSeq: since, service: "s3" })
      .filter((call) => call.operation !== "GetObject");
    expect(writes).toEqual([]);
  });
});
