import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import * as z from "zod";
import type { Clock } from "../lib/clock";
import { ExitCode, ShiplineError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { lockKey } from "./keys";
import { isConditionalConflict, isPreconditionFailed, readJson, writeJson } from "./s3-json";

export const LOCK_FORMAT = "shipline.lock/1";

const holderSchema = z.object({
  releaseId: z.string(),
  run: z.string(),
  actor: z.string(),
  command: z.string(),
  url: z.string().optional(),
});

const lockSchema = z.object({
  format: z.literal(LOCK_FORMAT),
  environment: z.string(),
  holder: holderSchema,
  acquiredAt: z.string(),
  expiresAt: z.string(),
});

export type LockHolder = z.output<typeof holderSchema>;
export type LockDocument = z.output<typeof lockSchema>;

/**
 * Another run holds the environment. Nothing was changed; the message names the holder so the
 * user knows whom to wait for. Exit code "timed out": the lock was not free within the wait.
 */
export class LockHeldError extends ShiplineError {
  constructor(
    message: string,
    readonly holder: LockDocument,
  ) {
    super(message, ExitCode.TimedOut);
  }
}

export interface LockSettings {
  bucket: string;
  ledgerPrefix: string;
  environment: string;
  holder: LockHolder;
  /** After this long a lock whose run died may be taken over. */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
}

/** A held lock: renew it between long steps, release it at the end. */
export interface HeldLock {
  readonly key: string;
  readonly document: LockDocument;
  /** Pushes the expiry forward; fails when the lock was taken over meanwhile. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

const CONFLICT_RETRIES = 5;

/**
 * Takes the environment's lock: create-only (`If-None-Match: *`), so of any number of runs
 * starting together from GitHub or CircleCI exactly one wins. A lock past its expiry is taken
 * over with `If-Match` on the ETag read, so two runs cannot both take over the same dead lock.
 */
export async function acquireLock(s3: S3Client, settings: LockSettings): Promise<HeldLock> {
  const key = lockKey(settings.ledgerPrefix, settings.environment);
  for (let attempt = 0; ; attempt++) {
    const document = lockDocument(settings);
    try {
      const etag = await writeJson(s3, settings.bucket, key, document, { create: true });
      return heldLock(s3, settings, key, document, etag);
    } catch (error) {
      if (isConditionalConflict(error) && attempt < CONFLICT_RETRIES) {
        await settings.clock.sleep(50 * (attempt + 1));
        continue;
      }
      if (!isPreconditionFailed(error)) throw error;
    }
    const current = await readJson(s3, settings.bucket, key, lockSchema);
    // Released between our write and our read: try again.
    if (!current) continue;
    if (Date.parse(current.value.expiresAt) > settings.clock.now()) {
      throw heldBy(current.value, settings);
    }
    try {
      const etag = await writeJson(s3, settings.bucket, key, document, { etag: current.etag });
      settings.logger.warning(
        `took over the lock of ${describeHolder(current.value)}: it expired at ${current.value.expiresAt}`,
      );
      return heldLock(s3, settings, key, document, etag);
    } catch (error) {
      if (!(isPreconditionFailed(error) || isConditionalConflict(error))) throw error;
      // Someone else took it over first: report them (next iteration reads the new holder).
      if (attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

/** The lock as it is now, for status output; undefined when free. */
export async function readLock(
  s3: S3Client,
  bucket: string,
  ledgerPrefix: string,
  environment: string,
): Promise<LockDocument | undefined> {
  return (await readJson(s3, bucket, lockKey(ledgerPrefix, environment), lockSchema))?.value;
}

function lockDocument(settings: LockSettings): LockDocument {
  const now = settings.clock.now();
  return {
    format: LOCK_FORMAT,
    environment: settings.environment,
    holder: settings.holder,
    acquiredAt: new Date(now).toISOString(),
    expiresAt: new Date(now + settings.ttlMs).toISOString(),
  };
}

export function describeHolder(lock: LockDocument): string {
  const { holder } = lock;
  return `${holder.command} of release ${holder.releaseId} (run ${holder.run} by ${holder.actor}${holder.url ? `, ${holder.url}` : ""})`;
}

function heldBy(lock: LockDocument, settings: LockSettings): LockHeldError {
  return new LockHeldError(
    `environment "${settings.environment}" is locked by the ${describeHolder(lock)} since ${lock.acquiredAt}; it expires at ${lock.expiresAt}. Nothing was changed: run again when it has finished.`,
    lock,
  );
}

function heldLock(
  s3: S3Client,
  settings: LockSettings,
  key: string,
  initial: LockDocument,
  initialEtag: string,
): HeldLock {
  let document = initial;
  let etag = initialEtag;
  // Renewals and the release are conditional on the last ETag: one at a time, in order, or a
  // heartbeat and a step boundary would each see the other's write as someone else's.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const renew = async () => {
    const renewed = { ...document, expiresAt: lockDocument(settings).expiresAt };
    try {
      etag = await writeJson(s3, settings.bucket, key, renewed, { etag });
      document = renewed;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      throw new ShiplineError(
        `lost the lock of environment "${settings.environment}": it expired and another run took it over (raise lock-ttl above the longest deploy)`,
        ExitCode.Bug,
        { cause: error },
      );
    }
  };
  return {
    key,
    get document() {
      return document;
    },
    renew: () => serially(renew),
    release: () => serially(release),
  };

  async function release(): Promise<void> {
    try {
      // If-Match: never delete a lock that another run took over after ours expired.
      await s3.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: key, IfMatch: etag }));
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      settings.logger.warning(
        `the lock of environment "${settings.environment}" was taken over by another run; left it to them`,
      );
    }
  }
}
