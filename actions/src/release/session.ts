import type { S3Client } from "@aws-sdk/client-s3";
import type { Clock } from "../lib/clock";
import { RolledBackError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { Ledger, type LivePointer } from "./ledger";
import { acquireLock, type HeldLock } from "./lock";
import {
  RELEASE_FORMAT,
  type ReleaseRecord,
  type ReleaseStatus,
  type RunContext,
  type TRIGGERS,
} from "./record";
import type { Versioned } from "./s3-json";

export interface SessionSettings {
  s3: S3Client;
  bucket: string;
  ledgerPrefix: string;
  environment: string;
  releaseId: string;
  context: RunContext;
  trigger: (typeof TRIGGERS)[number];
  /** "deploy" or "rollback": shown to whoever finds the lock taken. */
  command: string;
  lockTtlMs: number;
  clock: Clock;
  logger: Logger;
}

/** What a deploy or rollback may add to its record as it goes. */
export type RecordPatch = Partial<
  Pick<
    ReleaseRecord,
    "images" | "taskDefinitionArn" | "previousTaskDefinitionArn" | "web" | "restores" | "warnings"
  >
>;

/** The handle the steps of a release use: run a step, add to the record, read the ledger. */
export interface ReleaseSession {
  readonly ledger: Ledger;
  readonly releaseId: string;
  /** The live pointer as it was when the lock was taken. */
  readonly liveAtStart: LivePointer | undefined;
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  record(patch: RecordPatch): Promise<void>;
}

/**
 * One release from lock to record: take the environment's lock, write the record as
 * "deploying", run the steps (each timed and kept in the record, the lock renewed between them),
 * then mark the record live and move the live pointer — or record which step failed and why.
 * The lock is released in every case; a run killed outright leaves it to expire.
 */
export async function withReleaseSession(
  settings: SessionSettings,
  body: (session: ReleaseSession) => Promise<void>,
): Promise<ReleaseRecord> {
  const { clock, logger } = settings;
  const ledger = new Ledger(
    settings.s3,
    settings.bucket,
    settings.ledgerPrefix,
    settings.environment,
  );
  const lock = await acquireLock(settings.s3, {
    bucket: settings.bucket,
    ledgerPrefix: settings.ledgerPrefix,
    environment: settings.environment,
    holder: {
      releaseId: settings.releaseId,
      run: settings.context.run,
      actor: settings.context.actor,
      command: settings.command,
      ...(settings.context.url ? { url: settings.context.url } : {}),
    },
    ttlMs: settings.lockTtlMs,
    clock,
    logger,
  });
  // A heartbeat keeps the lock fresh while one step runs long (a slow gate, a rollback), so only
  // a run that died lets it expire. A renewal that finds the lock taken fails the next step.
  let lost: Error | undefined;
  const heartbeat = setInterval(
    () => {
      lock.renew().catch((error: Error) => {
        lost ??= error;
      });
    },
    Math.max(1_000, settings.lockTtlMs / 3),
  );
  heartbeat.unref();
  try {
    return await runLocked(settings, ledger, lock, body, () => lost);
  } finally {
    clearInterval(heartbeat);
    await lock.release();
  }
}

async function runLocked(
  settings: SessionSettings,
  ledger: Ledger,
  lock: HeldLock,
  body: (session: ReleaseSession) => Promise<void>,
  lockLost: () => Error | undefined,
): Promise<ReleaseRecord> {
  const { clock, logger } = settings;
  const liveAtStart = await ledger.live();
  let current: Versioned<ReleaseRecord> = await ledger.create({
    format: RELEASE_FORMAT,
    id: settings.releaseId,
    environment: settings.environment,
    commit: settings.context.commit,
    run: settings.context.run,
    trigger: settings.trigger,
    actor: settings.context.actor,
    createdAt: new Date(clock.now()).toISOString(),
    status: "deploying",
    images: {},
    steps: [],
  });
  const save = async (change: Partial<ReleaseRecord>) => {
    current = await ledger.update(current, { ...current.value, ...change });
  };
  let failedStep = "";
  const session: ReleaseSession = {
    ledger,
    releaseId: settings.releaseId,
    liveAtStart: liveAtStart?.value,
    async step(name, fn) {
      const started = clock.now();
      logger.info(`▶ ${name}`);
      try {
        const result = await fn();
        const durationMs = clock.now() - started;
        logger.info(`✔ ${name} (${(durationMs / 1000).toFixed(1)}s)`);
        await save({ steps: [...current.value.steps, { name, status: "done", durationMs }] });
        const lost = lockLost();
        if (lost) throw lost;
        await lock.renew();
        return result;
      } catch (error) {
        failedStep = name;
        const durationMs = clock.now() - started;
        await save({
          steps: [
            ...current.value.steps,
            { name, status: "failed", durationMs, detail: (error as Error).message },
          ],
        }).catch(() => {});
        throw error;
      }
    },
    record: (patch) => save(patch),
  };
  try {
    await body(session);
  } catch (error) {
    const status: ReleaseStatus = error instanceof RolledBackError ? "rolled-back" : "failed";
    await save({
      status,
      finishedAt: new Date(clock.now()).toISOString(),
      failure: { step: failedStep || "setup", message: (error as Error).message },
    }).catch((saveError: Error) =>
      logger.warning(`could not record the failure in the ledger: ${saveError.message}`),
    );
    throw error;
  }
  await save({ status: "live", finishedAt: new Date(clock.now()).toISOString() });
  await ledger.setLive(settings.releaseId, liveAtStart, new Date(clock.now()));
  return current.value;
}
