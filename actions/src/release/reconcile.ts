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
  /** The first (or only) service. */
  service: ServiceState;
  /** A release of several services: each by its key. */
  services?: Record<string, ServiceState>;
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
  /** A release of several services: each service's task definition, and whether it is PRIMARY. */
  services?: Record<string, { taskDefinitionArn?: string; primary: boolean }>;
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

function runs(arn: string | undefined, service: ServiceState | undefined): boolean {
  return (
    arn !== undefined &&
    arn === service?.primaryTaskDefinitionArn &&
    service.rolloutState !== "FAILED"
  );
}

/**
 * The release's task definitions are PRIMARY: with several services, every one of them runs
 * the release's revision (a record of another shape, or missing a service, is not served).
 */
function apiOf(record: ReleaseRecord, reality: Reality): boolean {
  if (reality.services) {
    const keys = Object.keys(reality.services);
    return (
      keys.length > 0 &&
      keys.every((key) => runs(record.services?.[key]?.taskDefinitionArn, reality.services?.[key]))
    );
  }
  return runs(record.taskDefinitionArn, reality.service);
}

function servicesOf(
  record: ReleaseRecord,
  services: Record<string, ServiceState>,
): NonNullable<ReleaseReality["services"]> {
  return Object.fromEntries(
    Object.entries(services).map(([key, state]) => {
      const arn = record.services?.[key]?.taskDefinitionArn;
      return [key, { ...(arn ? { taskDefinitionArn: arn } : {}), primary: runs(arn, state) }];
    }),
  );
}

/** What the services run, for messages: the one service's revision, or each by key. */
export function describeRunning(reality: Pick<Reality, "service" | "services">): string {
  if (!reality.services) return reality.service.primaryTaskDefinitionArn ?? "no task definition";
  return Object.entries(reality.services)
    .map(([key, state]) => `${key} on ${state.primaryTaskDefinitionArn ?? "no task definition"}`)
    .join(", ");
}

function settleReason(api: boolean, spa: Serving, reality: Reality): string {
  const runs = describeRunning(reality);
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
  const { served } = reality;
  const pointerId = state.live?.releaseId;
  const all: ReleaseReality[] = state.records.map((record) => {
    const api = apiOf(record, reality);
    const spa = spaOf(record, state, served);
    const row: ReleaseReality = {
      id: record.id,
      status: record.status,
      api,
      spa,
      ...(record.taskDefinitionArn ? { taskDefinitionArn: record.taskDefinitionArn } : {}),
      ...(reality.services ? { services: servicesOf(record, reality.services) } : {}),
    };
    if (record.status === "deploying" && record.id !== state.inProgress) {
      row.settledAs = api && spa === "yes" ? "live" : "failed";
      row.reason = settleReason(api, spa, reality);
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
    summary: summaryOf(liveId, consistent, reality, apiRelease, spaRelease),
  };
}

function summaryOf(
  liveId: string | undefined,
  consistent: boolean,
  reality: Reality,
  apiRelease: string | undefined,
  spaRelease: string | undefined,
): string {
  if (liveId === undefined) return "no release went live yet";
  if (consistent) {
    return `release ${liveId} is live: ${reality.services ? `every service (${Object.keys(reality.services).join(", ")}) runs its task definition` : "the service runs its task definition"} and the site serves its entry points`;
  }
  const { service } = reality;
  const running = reality.services
    ? describeRunning(reality)
    : `${service.primaryTaskDefinitionArn ?? "nothing"}${service.rolloutState ? ` (${service.rolloutState})` : ""}`;
  const api = `the API runs ${running}${apiRelease ? ` of release ${apiRelease}` : ", no recorded release's"}`;
  const spa = spaRelease
    ? `the site serves the entry points of release ${spaRelease}`
    : "the site serves entry points of no recorded release";
  return `not one release: ${api}, ${spa}; the ledger's live release is ${liveId}`;
}
