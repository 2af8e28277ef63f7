import type { S3Client } from "@aws-sdk/client-s3";
import { isPreconditionFailed } from "../ledger/json";
import { Ledger } from "../ledger/releases";
import { CancelledError, throwIfCancelled } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { retryTransient } from "../lib/retry";
import { Heartbeat } from "../release/heartbeat";
import { acquireLock } from "../release/lock";
import type { ReleaseRecord, ServiceEvent } from "../release/record";
import { runContext } from "../release/run-context";
import type { ServiceClients } from "../service/clients";
import { type CurrentService, readCurrentService } from "../service/current";
import type { GateSettings } from "../service/inputs";
import type { ChangeInputs } from "./inputs";

/** What redeploy and scale need from the world. */
export interface ChangeDeps {
  s3: S3Client;
  service: ServiceClients;
  clock: Clock;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** SIGINT/SIGTERM: the command stops at its next safe point. */
  signal?: AbortSignal;
}

/** The service as the change finds it, and the live release the change is an event of. */
export interface ChangeTarget {
  current: CurrentService;
  /** What the service runs: the live release's task definition. */
  taskDefinitionArn: string;
  live: ReleaseRecord;
}

/**
 * Reads the service and the ledger's live release; reads only. A service that runs something
 * else than the live release (a run died half-way, or someone changed it by hand) is refused:
 * the change would be recorded on a release that is not what runs.
 */
export async function readChangeTarget(
  inputs: ChangeInputs,
  deps: Pick<ChangeDeps, "s3" | "service">,
): Promise<ChangeTarget> {
  const ledger = ledgerOf(inputs, deps.s3);
  const [current, pointer] = await Promise.all([
    readCurrentService(deps.service, inputs.cluster, inputs.service),
    ledger.live(),
  ]);
  const where = `s3://${inputs.bucket}/${inputs["ledger-prefix"]}`;
  if (!pointer) {
    throw new ConfigurationError(
      `environment ${quote(inputs.environment)} has no live release in the ledger at ${where} (input "bucket"): deploy one with shipline deploy first; redeploy and scale are recorded as events of the live release`,
    );
  }
  const live = await ledger.read(pointer.value.releaseId);
  const runs = current.taskDefinition.taskDefinitionArn ?? "";
  if (!live?.taskDefinitionArn || live.taskDefinitionArn !== runs) {
    throw new ConfigurationError(
      `service ${quote(inputs.service)} runs ${runs}, but the live release ${quote(pointer.value.releaseId)} of environment ${quote(inputs.environment)} is ${live?.taskDefinitionArn ?? "(no task definition)"}: run "shipline status" to settle the ledger, or "shipline rollback", before changing the service`,
    );
  }
  return { current, taskDefinitionArn: runs, live };
}

/** The gate's settings from the inputs; the grace period defaults to the service's own. */
export function gateSettingsOf(inputs: ChangeInputs, current: CurrentService): GateSettings {
  return {
    pollIntervalMs: inputs["gate-interval"],
    healthyPolls: inputs["healthy-polls"],
    timeoutMs: inputs["gate-timeout"],
    graceMs: inputs["grace-period"] ?? (current.service.healthCheckGracePeriodSeconds ?? 0) * 1000,
  };
}

/** What the body of a change adds to its event as it goes. */
export type EventPatch = Partial<Pick<ServiceEvent, "deploymentId" | "desiredCount" | "detail">>;

export interface ChangeSession {
  target: ChangeTarget;
  /** Adds to the event in the ledger (e.g. the deployment id, once ECS gave it). */
  note(patch: EventPatch): Promise<void>;
}

/**
 * One change of the running service, like a release's: the environment's lock is taken (so no
 * deploy or rollback runs meanwhile), the target is read again under it, the event is written on
 * the live release as "started", the body runs, and the event ends as done, failed or cancelled.
 * The lock is released in every case.
 */
export async function withServiceChange<T>(
  kind: ServiceEvent["kind"],
  inputs: ChangeInputs,
  deps: ChangeDeps,
  /** The target as the plan read it, before the lock. */
  planned: ChangeTarget,
  body: (session: ChangeSession) => Promise<T>,
): Promise<T> {
  const { clock, logger } = deps;
  throwIfCancelled(deps.signal);
  const context = runContext(deps.env, clock.now());
  const lock = await acquireLock(deps.s3, {
    bucket: inputs.bucket,
    ledgerPrefix: inputs["ledger-prefix"],
    environment: inputs.environment,
    holder: {
      releaseId: planned.live.id,
      run: context.run,
      actor: context.actor,
      command: kind,
      ...(context.url ? { url: context.url } : {}),
    },
    ttlMs: inputs["lock-ttl"],
    clock,
    logger,
  });
  const heartbeat = new Heartbeat(lock, {
    ttlMs: inputs["lock-ttl"],
    clock,
    logger,
    environment: inputs.environment,
  });
  heartbeat.start();
  const patience = () => ({ clock, logger, deadline: clock.now() + inputs["lock-ttl"] / 2 });
  try {
    // Read again under the lock: a deploy may have finished between the plan and the lock.
    const target = await readChangeTarget(inputs, deps);
    const ledger = ledgerOf(inputs, deps.s3);
    let event: ServiceEvent = {
      id: `${kind}-${context.run}`,
      kind,
      status: "started",
      actor: context.actor,
      run: context.run,
      startedAt: new Date(clock.now()).toISOString(),
      taskDefinitionArn: target.taskDefinitionArn,
    };
    const save = async (patch: Partial<ServiceEvent>) => {
      event = { ...event, ...patch };
      await retryTransient(
        "S3 PutObject of the release record",
        () => writeEvent(ledger, target.live.id, event),
        patience(),
      );
    };
    await save({});
    try {
      const result = await body({ target, note: (patch) => save(patch) });
      const lost = heartbeat.lost();
      await save({ status: "done", finishedAt: new Date(clock.now()).toISOString() });
      if (lost) logger.warning(lost.message);
      return result;
    } catch (error) {
      await save({
        status: error instanceof CancelledError ? "cancelled" : "failed",
        finishedAt: new Date(clock.now()).toISOString(),
        detail: (error as Error).message,
      }).catch((saveError: Error) =>
        logger.warning(`could not record the failure in the ledger: ${saveError.message}`),
      );
      throw error;
    }
  } finally {
    await heartbeat.stop();
    await retryTransient("S3 DeleteObject of the lock", () => lock.release(), patience());
  }
}

function ledgerOf(inputs: ChangeInputs, s3: S3Client): Ledger {
  return new Ledger(s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
}

/**
 * Writes the event into the live release's record (replacing its earlier version by id), over
 * the version read (If-Match); a record changed in between (`shipline status` settling another
 * one never touches it, but a person might) is read again once.
 */
async function writeEvent(ledger: Ledger, releaseId: string, event: ServiceEvent): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = await ledger.readVersioned(releaseId);
    if (!current) throw new Error(`the record of release ${quote(releaseId)} disappeared`);
    const events = (current.value.events ?? []).filter((e) => e.id !== event.id);
    try {
      await ledger.update(current, { ...current.value, events: [...events, event] });
      return;
    } catch (error) {
      if (!isPreconditionFailed(error) || attempt >= 1) throw error;
    }
  }
}
