import type { Versioned } from "../ledger/json";
import { releaseKey } from "../ledger/keys";
import type { Ledger, LivePointer } from "../ledger/releases";
import type { Logger } from "../lib/logger";
import { type Environment, observe } from "./reality";
import { type Reconciliation, reconcile, webReleaseOf } from "./reconcile";
import type { ReleaseRecord } from "./record";
import { recordServedWebRelease } from "./settle-web";

export interface Settled {
  /** Undefined when the ledger was taken as recorded, without looking at the environment. */
  reconciliation?: Reconciliation;
  /** The live pointer once settled (moved, or as read), with the ETag a later move must match. */
  pointer: Versioned<LivePointer> | undefined;
  /** The live release's record once settled: what a failed change returns to. */
  live: ReleaseRecord | undefined;
}

export interface SettleOptions {
  now: () => number;
  logger: Logger;
  /** Decide and report only; write nothing. */
  dryRun?: boolean;
  /** A release whose run holds the lock now (status only): never settled. */
  inProgress?: string;
}

/**
 * Reality wins over the ledger: reads what the service and the site serve, then settles the
 * records dead runs left "deploying" (live when their task definition is PRIMARY and their entry
 * points are served, failed otherwise) and moves the live pointer (If-Match) to the newest that
 * went live. Writes ledger records only, never the service or the site.
 */
export async function settleLedger(
  ledger: Ledger,
  environment: Environment,
  options: SettleOptions,
): Promise<Settled & { reconciliation: Reconciliation }> {
  const { logger } = options;
  const observed = await observe(ledger, environment, options.inProgress);
  const reconciliation = reconcile(observed.state, observed.reality);
  let pointer = observed.pointer;
  const verb = options.dryRun ? "would record" : "recorded";
  for (const change of reconciliation.settle) {
    const record = observed.state.records.find((r) => r.id === change.id);
    const settled =
      options.dryRun ||
      (record !== undefined && (await settleOne(ledger, environment, record, change, options)));
    if (settled)
      logger.warning(`${verb} release ${change.id} as ${change.status}: ${change.reason}`);
  }
  if (reconciliation.moveLive && reconciliation.liveId !== undefined) {
    if (!options.dryRun) {
      pointer = await ledger.setLive(reconciliation.liveId, pointer, new Date(options.now()));
    }
    logger.warning(
      `${options.dryRun ? "would move" : "moved"} the live pointer from ${observed.pointer?.value.releaseId ?? "none"} to ${reconciliation.liveId}: it is what the service and the site serve`,
    );
  }
  const record = observed.state.records.find((r) => r.id === reconciliation.liveId);
  const settledAs = reconciliation.releases.find((r) => r.id === record?.id)?.settledAs;
  return {
    reconciliation,
    pointer,
    live: record && settledAs ? { ...record, status: settledAs } : record,
  };
}

/** The ledger as recorded, for a session that has no environment to compare it with. */
export async function asRecorded(ledger: Ledger): Promise<Settled> {
  const pointer = await ledger.live();
  const live = pointer ? await ledger.read(pointer.value.releaseId) : undefined;
  return { pointer, live };
}

/**
 * Settles one record. One found live also gets what its run would have recorded had it lived:
 * its web release, in its record and as the site's live release (with its snapshots).
 */
async function settleOne(
  ledger: Ledger,
  environment: Environment,
  record: ReleaseRecord,
  change: Reconciliation["settle"][number],
  options: SettleOptions,
): Promise<boolean> {
  const web = webReleaseOf(record);
  const recordWeb = change.status === "live" && web !== undefined;
  const settled = await ledger.settle(
    record.id,
    change.status,
    change.reason,
    new Date(options.now()),
    recordWeb && !record.web
      ? { web: { releaseId: web, manifestKey: releaseKey(environment.site.ledgerPrefix, "", web) } }
      : {},
  );
  if (recordWeb && (await recordServedWebRelease(environment.s3, environment.site, web))) {
    options.logger.warning(`recorded web release ${web} as the site's live release: it is served`);
  }
  return settled;
}
