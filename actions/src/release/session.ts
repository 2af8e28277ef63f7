import type { S3Client } from "@aws-sdk/client-s3";
import type { Versioned } from "../ledger/json";
import { Ledger, type LivePointer } from "../ledger/releases";
import { CancelledError, throwIfCancelled } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { RolledBackError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";
import { Heartbeat } from "./heartbeat";
import { acquireLock } from "./lock";
import type { Environment } from "./reality";
import {
  RELEASE_FORMAT,
  type ReleaseRecord,
  type ReleaseStatus,
  type RunContext,
  type TRIGGERS,
} from "./record";
import { asRecorded, type Settled, settleLedger } from "./settle";

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
  /**
   * The service and site the ledger is reconciled with once the lock is held. Deploy and
   * rollback always give it; without it (tests of the lock alone) the ledger is taken as it is.
   */
  reality?: Environment;
  /**
   * Runs after reconciliation, before this run's record is written: a refusal here (a rollback
   * target that is live already) leaves no record behind.
   */
  begin?: (settled: Settled) => Promise<void> | void;
  /** SIGINT/SIGTERM: the run stops at the next step boundary (and inside waits that take it). */
  signal?: AbortSignal;
  /** A promotion's source, in the record from its first write (a failed one names it too). */
  promotedFrom?: ReleaseRecord["promotedFrom"];
}

/** What a deploy or rollback may add to its record as it goes. */
export type RecordPatch = Partial<
  Pick<
    ReleaseRecord,
    | "images"
    | "taskDefinitionArn"
    | "previousTaskDefinitionArn"
    | "services"
    | "web"
    | "restores"
    | "warnings"
  >
>;

/** The handle the steps of a release use: run a step, add to the record, read the ledger. */
export interface ReleaseSession {
  readonly ledger: Ledger;
  readonly releaseId: string;
  /** The live pointer when the lock was taken, once reconciled with what is served. */
  readonly liveAtStart: LivePointer | undefined;
  /**
   * The live release's record, once reconciled: what a failed change returns to — never a
   * revision a dead run left on the service without passing its gate.
   */
  readonly liveRelease: ReleaseRecord | undefined;
  /** The run's cancellation, for the waits inside steps. */
  readonly signal: AbortSignal | undefined;
  /**
   * Runs one step. Before it starts — the safe point — a cancellation or a lost lock stops the
   * run with CancelledError / LockLostError, so nothing changes after either.
   */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  record(patch: RecordPatch): Promise<void>;
}

/**
 * One release from lock to record: take the environment's lock, write the record as
 * "deploying", run the steps (each timed and kept in the record, the lock renewed between them),
 * then mark the record live and move the live pointer — or record which step failed and why
 * (`cancelled` when SIGINT/SIGTERM stopped it). The lock is released in every case, a cancelled
 * run included; only a run killed outright leaves it to expire.
 */
export async function withReleaseSession(
  settings: SessionSettings,
  body: (session: ReleaseSession) => Promise<void>,
): Promise<ReleaseRecord> {
  const { clock, logger } = settings;
  // Stopped before it began: not even the lock is taken.
  throwIfCancelled(settings.signal);
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
  const heartbeat = new Heartbeat(lock, {
    ttlMs: settings.lockTtlMs,
    clock,
    logger,
    environment: settings.environment,
  });
  heartbeat.start();
  try {
    return await runLocked(settings, ledger, heartbeat, body);
  } finally {
    await heartbeat.stop();
    // A lost lock is someone else's now: release() leaves a lock it does not hold alone. A burst
    // of 5xx must not leave it to block every run for its TTL.
    await retryTransient("S3 DeleteObject of the lock", () => lock.release(), patience(settings));
  }
}

async function runLocked(
  settings: SessionSettings,
  ledger: Ledger,
  heartbeat: Heartbeat,
  body: (session: ReleaseSession) => Promise<void>,
): Promise<ReleaseRecord> {
  const { clock, logger, signal } = settings;
  /** The safe point: nothing changes after a cancellation or with a lock that is lost. */
  const mayContinue = () => {
    throwIfCancelled(signal);
    const lost = heartbeat.lost();
    if (lost) throw lost;
  };
  // A run that died (kill -9, a lost runner) left the ledger behind reality: settle that first,
  // so this run starts from, and returns to, what is really live.
  const settled = settings.reality
    ? await settleLedger(ledger, settings.reality, { now: () => clock.now(), logger })
    : await asRecorded(ledger);
  const found = settled.reconciliation;
  if (found) (found.consistent ? logger.info : logger.warning).call(logger, found.summary);
  await settings.begin?.(settled);
  const liveAtStart = settled.pointer;
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
    ...(settings.promotedFrom ? { promotedFrom: settings.promotedFrom } : {}),
    steps: [],
  });
  // Recording what happened is retried through bursts of 5xx: a step that passed (or a release
  // that went live) must not be reported failed because one write met bad weather.
  const save = async (change: Partial<ReleaseRecord>) => {
    current = await retryTransient(
      "S3 PutObject of the release record",
      () => ledger.update(current, { ...current.value, ...change }),
      patience(settings),
    );
  };
  let failedStep = "";
  const session: ReleaseSession = {
    ledger,
    releaseId: settings.releaseId,
    liveAtStart: liveAtStart?.value,
    liveRelease: settled.live,
    signal,
    async step(name, fn) {
      try {
        mayContinue();
      } catch (error) {
        failedStep = name;
        throw error;
      }
      const started = clock.now();
      logger.info(`▶ ${name}`);
      try {
        const result = await fn();
        const durationMs = clock.now() - started;
        logger.info(`✔ ${name} (${(durationMs / 1000).toFixed(1)}s)`);
        await save({ steps: [...current.value.steps, { name, status: "done", durationMs }] });
        // A fresh lock for the next step; a failed renewal is the heartbeat's to judge.
        await heartbeat.beat();
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
    const status: ReleaseStatus =
      error instanceof CancelledError
        ? "cancelled"
        : error instanceof RolledBackError
          ? "rolled-back"
          : "failed";
    await save({
      status,
      finishedAt: new Date(clock.now()).toISOString(),
      failure: { step: failedStep || "setup", message: (error as Error).message },
    }).catch((saveError: Error) =>
      logger.warning(`could not record the failure in the ledger: ${saveError.message}`),
    );
    throw error;
  }
  // Going live is a change too: not with a lock that is lost. A cancellation that came after the
  // last step does not stop it: the release is complete, recording it keeps the ledger true.
  const lost = heartbeat.lost();
  if (lost) throw lost;
  await save({ status: "live", finishedAt: new Date(clock.now()).toISOString() });
  await retryTransient(
    "S3 PutObject of the live pointer",
    () => ledger.setLive(settings.releaseId, liveAtStart, new Date(clock.now())),
    patience(settings),
  );
  return current.value;
}

/**
 * How long the ledger's and the lock's writes ride out transient errors: half the lock's TTL,
 * the time the heartbeat itself survives failures before the lock counts as lost. Not cut short
 * by a cancellation: these writes are what keeps the record true after one.
 */
function patience(settings: SessionSettings) {
  const { clock, logger } = settings;
  return { clock, logger, deadline: clock.now() + settings.lockTtlMs / 2 };
}
