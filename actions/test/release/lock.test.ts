import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { acquireLock, LOCK_FORMAT, LockHeldError } from "../../src/release/lock";

const s3 = mockClient(S3Client);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status } });
}

/**
 * A lock object as GetObject returns it, last written at `renewedAt` with a 60 s TTL. A mocked
 * client has no `Date` header, so its age is taken against the runner's (manual) clock.
 */
function lockObject(holder: string, renewedAt: number, etag: string) {
  const text = JSON.stringify({
    format: LOCK_FORMAT,
    environment: "production",
    holder: { releaseId: holder, run: holder, actor: "someone", command: "deploy" },
    acquiredAt: new Date(renewedAt).toISOString(),
    expiresAt: new Date(renewedAt + 60_000).toISOString(),
    ttlMs: 60_000,
  });
  return {
    // What the lock reader uses of a response body.
    Body: { transformToString: async () => text } as never,
    ETag: etag,
    LastModified: new Date(renewedAt),
  };
}

const settings = (clock: ManualClock) => ({
  bucket: "b",
  ledgerPrefix: ".shipline/",
  environment: "production",
  holder: { releaseId: "mine", run: "1", actor: "me", command: "deploy" },
  ttlMs: 60_000,
  clock,
  logger: new TerminalLogger({ out: quiet, err: quiet }),
});

beforeEach(() => s3.reset());

describe("the environment lock", () => {
  it("retries a conflicting concurrent write (409) after a short wait, then holds the lock", async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(s3Error("ConditionalRequestConflict", 409))
      .resolves({ ETag: '"e1"' });
    const clock = new ManualClock(1_000_000);
    const lock = await acquireLock(new S3Client({}), settings(clock));
    expect(lock.document.holder.releaseId).toBe("mine");
    expect(clock.sleeps).toEqual([50]);
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts.map((call) => call.args[0].input.IfNoneMatch)).toEqual(["*", "*"]);
  });

  it("loses a takeover race to another run and names the winner", async () => {
    const clock = new ManualClock(1_000_000);
    s3.on(PutObjectCommand, { IfNoneMatch: "*" }).rejects(s3Error("PreconditionFailed", 412));
    s3.on(PutObjectCommand, { IfMatch: '"dead"' }).rejects(s3Error("PreconditionFailed", 412));
    s3.on(GetObjectCommand)
      // First read: a dead run's expired lock; second: the run that took it over first.
      .resolvesOnce(lockObject("dead-run", 939_000, '"dead"'))
      .resolves(lockObject("quicker-run", 1_000_000, '"quick"'));
    const error = await acquireLock(new S3Client({}), settings(clock)).catch(
      (caught: Error) => caught,
    );
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toContain("release quicker-run (run quicker-run by someone)");
    // It never wrote over the winner: the only conditional replace named the dead lock's ETag.
    const replaces = s3.commandCalls(PutObjectCommand).filter((call) => call.args[0].input.IfMatch);
    expect(replaces.map((call) => call.args[0].input.IfMatch)).toEqual(['"dead"']);
  });

  it("takes over an expired lock with If-Match on its ETag", async () => {
    const clock = new ManualClock(1_000_000);
    s3.on(PutObjectCommand, { IfNoneMatch: "*" }).rejects(s3Error("PreconditionFailed", 412));
    s3.on(PutObjectCommand, { IfMatch: '"dead"' }).resolves({ ETag: '"mine"' });
    s3.on(GetObjectCommand).resolves(lockObject("dead-run", 900_000, '"dead"'));
    const lock = await acquireLock(new S3Client({}), settings(clock));
    expect(lock.document.expiresAt).toBe(new Date(1_060_000).toISOString());
  });
});
