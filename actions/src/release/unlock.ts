import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { isPreconditionFailed } from "../ledger/json";
import { lockKey } from "../ledger/keys";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import type { UnlockInputs } from "./inputs";
import { describeLock, inspectLock, LockHeldError, seconds } from "./lock";

export type UnlockOutcome = "free" | "removed" | "would-remove" | "would-refuse";

/**
 * `shipline unlock`: shows who holds the environment's lock and removes it. A holder that is
 * still heartbeating (renewed within half its TTL, by S3's clock) is a run in progress: that
 * is refused unless forced, because removing its lock lets a second run change the same
 * environment at once. The delete is conditional on the ETag shown, so a lock renewed or taken
 * over meanwhile is never removed by mistake.
 */
export async function unlock(
  inputs: UnlockInputs,
  deps: { s3: S3Client; clock: Clock; logger: Logger },
): Promise<UnlockOutcome> {
  const { logger } = deps;
  const key = lockKey(inputs["ledger-prefix"], inputs.environment);
  const lock = await inspectLock(deps.s3, inputs.bucket, key, deps.clock);
  if (!lock) {
    logger.info(`environment "${inputs.environment}" is not locked`);
    return "free";
  }
  logger.info(describeLock(inputs.environment, lock));
  const refuse = lock.heartbeating && !inputs.force;
  if (inputs["dry-run"]) {
    logger.info(
      refuse
        ? "dry run: would refuse, the holder is still heartbeating (add --force to remove it anyway)"
        : `dry run: would remove s3://${inputs.bucket}/${key}`,
    );
    return refuse ? "would-refuse" : "would-remove";
  }
  if (refuse) {
    throw new LockHeldError(
      `the holder of environment "${inputs.environment}" is still heartbeating (renewed ${seconds(lock.ageMs)} ago by S3's clock): it is running. Nothing was removed; wait for it, cancel its job, or add --force if you know it is gone.`,
      lock.document,
    );
  }
  if (lock.heartbeating) {
    logger.warning("--force: removing a lock whose holder is still heartbeating");
  }
  try {
    await deps.s3.send(
      new DeleteObjectCommand({ Bucket: inputs.bucket, Key: key, IfMatch: lock.etag }),
    );
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    throw new LockHeldError(
      `the lock of environment "${inputs.environment}" changed while it was shown (renewed or taken over): nothing was removed; run unlock again to see the holder now`,
      lock.document,
    );
  }
  logger.info(`removed the lock of environment "${inputs.environment}"`);
  return "removed";
}
