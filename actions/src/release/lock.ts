import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import * as z from "zod";
import { errorName, isConditionalConflict, isPreconditionFailed, writeJson } from "../ledger/json";
import { lockKey } from "../ledger/keys";
import { type Clock, systemClock } from "../lib/clock";
import { ExitCode, ShiplineError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { getObjectTimed } from "./s3-time";

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
  /** By the holder's clock: shown to people, never used to judge expiry. */
  acquiredAt: z.string(),
  expiresAt: z.string(),
  /** The holder's lock-ttl: how long after its last renewal (by S3's clock) the lock is dead. */
  ttlMs: z.number().positive().optional(),
  /** Tells the holder its own lock apart, e.g. after a renewal whose answer was lost. */
  token: z.string().optional(),
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

/** This run no longer holds its lock: it must stop before its next change. */
export class LockLostError extends ShiplineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.TimedOut, options);
  }
}

export interface LockSettings {
  bucket: string;
  ledgerPrefix: string;
  environment: string;
  holder: LockHolder;
  /** After this long without a renewal (by S3's clock) a lock whose run died may be taken over. */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
}

/** A held lock: renew it between long steps, release it at the end. */
export interface HeldLock {
  readonly key: string;
  readonly document: LockDocument;
  /** Rewrites the lock (S3 sets a new LastModified); LockLostError when another run took it. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** A lock as S3 holds it, aged by S3's own clock. */
export interface LockState {
  document: LockDocument;
  etag: string;
  /** S3's answer time minus the object's LastModified: time since the last renewal. */
  ageMs: number;
  /** The holder's own lock-ttl. */
  ttlMs: number;
  /** Past its TTL: the holder stopped renewing, it may be taken over. */
  expired: boolean;
  /**
   * Renewed within half its TTL. A live holder renews far more often, and gives up on its own
   * when it could not renew for half the TTL; so a lock older than that has nobody behind it.
   */
  heartbeating: boolean;
}

const HTTP_DATE_RESOLUTION_MS = 1_000;

/** The TTL the holder wrote; locks written before it was recorded carry it in their times. */
function ttlOf(document: LockDocument): number {
  return document.ttlMs ?? Date.parse(document.expiresAt) - Date.parse(document.acquiredAt);
}

/**
 * Reads the lock and judges it by S3's time: the `Date` of the same answer minus the object's
 * `LastModified`. The runner's clock plays no part, so a runner hours fast or slow can neither
 * take over a live lock nor keep a dead one. Undefined when there is no lock.
 */
export async function inspectLock(
  s3: S3Client,
  bucket: string,
  key: string,
  clock: Clock,
): Promise<LockState | undefined> {
  let read: Awaited<ReturnType<typeof getObjectTimed>>;
  try {
    read = await getObjectTimed(s3, bucket, key);
  } catch (error) {
    if (errorName(error) === "NoSuchKey") return undefined;
    throw error;
  }
  const text = (await read.output.Body?.transformToString("utf8")) ?? "";
  let parsed: ReturnType<typeof lockSchema.safeParse>;
  try {
    parsed = lockSchema.safeParse(JSON.parse(text));
  } catch {
    throw new Error(`s3://${bucket}/${key} is not JSON: was it written by shipline?`);
  }
  if (!parsed.success) {
    throw new Error(
      `s3://${bucket}/${key} is not a shipline lock: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  const document = parsed.data;
  // Without a Date header (never seen from S3) the runner's clock is the only one left.
  const answeredAt = read.answeredAt ?? clock.now();
  const modified = read.output.LastModified?.getTime() ?? answeredAt;
  const ageMs = Math.max(0, answeredAt - modified);
  const ttlMs = ttlOf(document);
  return {
    document,
    etag: read.output.ETag ?? "",
    ageMs,
    ttlMs,
    // Both times are HTTP dates, whole seconds: a second of margin so truncation never makes a
    // lock look older than it is.
    expired: ageMs >= ttlMs + HTTP_DATE_RESOLUTION_MS,
    heartbeating: ageMs < ttlMs / 2,
  };
}

const CONFLICT_RETRIES = 5;

/**
 * Takes the environment's lock: create-only (`If-None-Match: *`), so of any number of runs
 * starting together from GitHub or CircleCI exactly one wins. A lock past its TTL by S3's clock
 * is taken over with `If-Match` on the ETag read, so two runs cannot both take over the same
 * dead lock.
 */
export async function acquireLock(s3: S3Client, settings: LockSettings): Promise<HeldLock> {
  const key = lockKey(settings.ledgerPrefix, settings.environment);
  const token = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const document = lockDocument(settings, token);
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
    const current = await inspectLock(s3, settings.bucket, key, settings.clock);
    // Released between our write and our read: try again.
    if (!current) continue;
    if (!current.expired) throw heldBy(current, settings);
    try {
      const etag = await writeJson(s3, settings.bucket, key, document, { etag: current.etag });
      settings.logger.warning(
        `took over the lock of ${describeHolder(current.document)}: not renewed for ${seconds(current.ageMs)} (by S3's clock), past its ${seconds(current.ttlMs)} TTL`,
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
  clock: Clock = systemClock,
): Promise<LockDocument | undefined> {
  return (await inspectLock(s3, bucket, lockKey(ledgerPrefix, environment), clock))?.document;
}

function lockDocument(settings: LockSettings, token: string): LockDocument {
  const now = settings.clock.now();
  return {
    format: LOCK_FORMAT,
    environment: settings.environment,
    holder: settings.holder,
    acquiredAt: new Date(now).toISOString(),
    expiresAt: new Date(now + settings.ttlMs).toISOString(),
    ttlMs: settings.ttlMs,
    token,
  };
}

/** "12 s": how lock ages and TTLs are shown. */
export const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function describeHolder(lock: LockDocument): string {
  const { holder } = lock;
  return `${holder.command} of release ${holder.releaseId} (run ${holder.run} by ${holder.actor}${holder.url ? `, ${holder.url}` : ""})`;
}

/** Who holds the lock and how fresh it is by S3's clock, for history and unlock. */
export function describeLock(environment: string, lock: LockState): string {
  const state = lock.expired
    ? "expired"
    : lock.heartbeating
      ? "held, heartbeating"
      : "held, not renewed for over half its TTL";
  return `environment "${environment}" is locked by the ${describeHolder(lock.document)} since ${lock.document.acquiredAt}; last renewed ${seconds(lock.ageMs)} ago by S3's clock, TTL ${seconds(lock.ttlMs)} (${state})`;
}

function heldBy(lock: LockState, settings: LockSettings): LockHeldError {
  return new LockHeldError(
    `environment "${settings.environment}" is locked by the ${describeHolder(lock.document)} since ${lock.document.acquiredAt}; last renewed ${seconds(lock.ageMs)} ago, it expires ${seconds(lock.ttlMs - lock.ageMs)} after its last renewal. Nothing was changed: run again when it has finished (or see shipline unlock).`,
    lock.document,
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
  /**
   * After a 412: is the lock still ours? A renewal whose answer was lost (a reset connection)
   * changed the ETag without telling us; the token in the document says it was our own write.
   */
  const ownEtag = async (): Promise<string | undefined> => {
    const current = await inspectLock(s3, settings.bucket, key, settings.clock);
    return current?.document.token === document.token ? current?.etag : undefined;
  };
  const renew = async () => {
    // expiresAt is for people reading the lock; S3's LastModified is what expiry is judged by.
    const renewed = {
      ...document,
      expiresAt: new Date(settings.clock.now() + settings.ttlMs).toISOString(),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        etag = await writeJson(s3, settings.bucket, key, renewed, { etag });
        document = renewed;
        return;
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
        const own = attempt === 0 ? await ownEtag() : undefined;
        if (own === undefined) {
          throw new LockLostError(
            `lost the lock of environment "${settings.environment}": it expired and another run took it over (raise lock-ttl above the longest deploy)`,
            { cause: error },
          );
        }
        etag = own;
      }
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
    for (let attempt = 0; ; attempt++) {
      try {
        // If-Match: never delete a lock that another run took over after ours expired.
        await s3.send(
          new DeleteObjectCommand({ Bucket: settings.bucket, Key: key, IfMatch: etag }),
        );
        return;
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
        const own = attempt === 0 ? await ownEtag() : undefined;
        if (own === undefined) {
          settings.logger.warning(
            `the lock of environment "${settings.environment}" was taken over by another run; left it to them`,
          );
          return;
        }
        etag = own;
      }
    }
  }
}
