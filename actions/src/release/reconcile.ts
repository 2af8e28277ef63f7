import type { LivePointer } from "../ledger/releases";
import type { ServedContent } from "../web/served";
import type { ReleaseRecord } from "./record";

/**
 * Reality against the ledger, decided without any I/O: which release the service and the site
 * really serve, which records a dead run left "deploying" and what they become, and where the
 * live pointer belongs. reality.ts reads the inputs; settle.ts applies the outcome.
 */

/** The service as ECS reports it: its PRIMARY deployment. */
export interface ServiceState {
  primaryTaskDefinitionArn?: string;
  /** COMPLETED, IN_PROGRESS or FAILED. */
  rolloutState?: string;
}

/** Entry-point key → sha256 of the object in the bucket; null when absent or not shipline's. */
export type ServedEntryPoints = ServedContent;

export interface Reality {
  service: ServiceState;
  served: ServedEntryPoints;
}

export interface LedgerState {
  live: LivePointer | undefined;
  /** The records looked at, newest first. */
  records: ReleaseRecord[];
  /** Web release id → its entry points (key → sha256), from its manifest in the bucket. */
  entryPoints: Record<string, Record<string, string>>;
  /** The release whose run holds the lock now: in progress, not left behind by a dead run. */
  inProgress?: string;
}

/** Whether a release's entry points are what the bucket serves; unknown without its manifest. */
export type Serving = "yes" | "no" | "unknown";

export interface ReleaseReality {
  id: string;
  status: ReleaseRecord["status"];
  taskDefinitionArn?: string;
  /** Its task definition is the service's PRIMARY (and that rollout has not failed). */
  api: boolean;
  spa: Serving;
  /** What reconciliation makes of a record a dead run left deploying. */
  settledAs?: "live" | "failed";
  reason?: string;
}

export interface Reconciliation {
  /** The releases worth showing, newest first: live, in progress, left behind, or served. */
  releases: ReleaseReality[];
  /** Records to settle, oldest first. */
  settle: { id: string; status: "live" | "failed"; reason: string }[];
  /** The live release once settled; undefined when nothing ever went live. */
  liveId?: string;
  /** The pointer must move to liveId (it named another release). */
  moveLive: boolean;
  /** Service and site both serve the live release (or nothing went live yet). */
  consistent: boolean;
  /** The newest releases whose task definition / entry points are served. */
  apiRelease?: string;
  spaRelease?: string;
  /** One sentence for logs and the status table's heading. */
  summary: string;
}

/** The web release a record's entry points belong to: a deploy publishes its own id. */
export function webReleaseOf(record: ReleaseRecord): string | undefined {
  return record.web?.releaseId ?? (record.trigger === "rollback" ? undefined : record.id);
}

function spaOf(record: ReleaseRecord, state: LedgerState, served: ServedEntryPoints): Serving {
  const web = webReleaseOf(record);
  const entries = web === undefined ? undefined : state.entryPoints[web];
  if (!entries || Object.keys(entries).length === 0) return "unknown";
  return Object.entries(entries).every(([key, sha256]) => served[key] === sha256) ? "yes" : "no";
}

function apiOf(record: ReleaseRecord, service: ServiceState): boolean {
  return (
    record.taskDefinitionArn !== undefined &&
    record.taskDefinitionArn === service.primaryTaskDefinitionArn &&
    service.rolloutState !== "FAILED"
  );
}

function settleReason(api: boolean, spa: Serving, service: ServiceState): string {
  const runs = service.primaryTaskDefinitionArn ?? "no task definition";
  if (api && spa === "yes") {
    return "its run stopped after the commit point: the service runs its task definition and the site serves its entry points";
  }
  if (spa === "yes") {
    return `its run stopped with its entry points served but the service on ${runs}`;
  }
  if (api) {
    return "its run stopped before its entry points went live (the service runs its task definition)";
  }
  return `its run stopped before the release went out (the service runs ${runs})`;
}

export function reconcile(state: LedgerState, reality: Reality): Reconciliation {
  const { service, served } = reality;
  const pointerId = state.live?.releaseId;
  const all: ReleaseReality[] = state.records.map((record) => {
    const api = apiOf(record, service);
    const spa = spaOf(record, state, served);
    const row: ReleaseReality = {
      id: record.id,
      status: record.status,
      api,
      spa,
      ...(record.taskDefinitionArn ? { taskDefinitionArn: record.taskDefinitionArn } : {}),
    };
    if (record.status === "deploying" && record.id !== state.inProgress) {
      row.settledAs = api && spa === "yes" ? "live" : "failed";
      row.reason = settleReason(api, spa, service);
    }
    return row;
  });
  // The newest left-behind release that went all the way out is what is live now, unless the
  // pointer names a newer release (records are newest first).
  const pointerAt = all.findIndex((row) => row.id === pointerId);
  const wentLive = all.find(
    (row, index) => row.settledAs === "live" && (pointerAt < 0 || index < pointerAt),
  );
  const liveId = wentLive?.id ?? pointerId;
  const live = all.find((row) => row.id === liveId);
  const consistent = liveId === undefined || (live?.api === true && live.spa === "yes");
  const apiRelease = live?.api ? live.id : all.find((row) => row.api)?.id;
  const spaRelease = live?.spa === "yes" ? live.id : all.find((row) => row.spa === "yes")?.id;
  const shown = all.filter(
    (row) =>
      row.id === liveId ||
      row.id === pointerId ||
      row.id === state.inProgress ||
      row.settledAs !== undefined ||
      row.id === apiRelease ||
      row.id === spaRelease,
  );
  return {
    releases: shown,
    settle: all
      .filter((row) => row.settledAs !== undefined)
      .map((row) => ({
        id: row.id,
        status: row.settledAs as "live" | "failed",
        reason: row.reason as string,
      }))
      .reverse(),
    ...(liveId !== undefined ? { liveId } : {}),
    moveLive: liveId !== undefined && liveId !== pointerId,
    consistent,
    ...(apiRelease !== undefined ? { apiRelease } : {}),
    ...(spaRelease !== undefined ? { spaRelease } : {}),
    summary: summaryOf(liveId, consistent, service, apiRelease, spaRelease),
  };
}

function summaryOf(
  liveId: string | undefined,
  consistent: boolean,
  service: ServiceState,
  apiRelease: string | undefined,
  spaRelease: string | undefined,
): string {
  if (liveId === undefined) return "no release went live yet";
  if (consistent) {
    return `release ${liveId} is live: the service runs its task definition and the site serves its entry points`;
  }
  const api = `the API runs ${service.primaryTaskDefinitionArn ?? "nothing"}${service.rolloutState ? ` (${service.rolloutState})` : ""}${apiRelease ? ` of release ${apiRelease}` : ", no recorded release's"}`;
  const spa = spaRelease
    ? `the site serves the entry points of release ${spaRelease}`
    : "the site serves entry points of no recorded release";
  return `not one release: ${api}, ${spa}; the ledger's live release is ${liveId}`;
}
