import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Versioned } from "../ledger/json";
import type { Ledger, LivePointer } from "../ledger/releases";
import { readSiteManifest, readWebRelease, type SiteLocation } from "../ledger/site";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import { mapLimited } from "../web/concurrency";
import { keyValueStoreArn, readLiveState } from "../web/live-store";
import { keptReleases, type Release } from "../web/manifest";
import { RELEASES_FOLDER } from "../web/release-router";
import { type ServedContent, servedContent } from "../web/served";
import type { LedgerState, Reality, ServiceState } from "./reconcile";
import { webReleaseOf } from "./reconcile";
import type { ReleaseRecord } from "./record";
import { isServicesMap, type ReleaseService, releaseServices } from "./services";

/** Where an environment's release really runs: its ECS service and its site in the bucket. */
export interface Environment {
  s3: S3Client;
  service: ServiceClients;
  /** The first (or only) service. */
  cluster: string;
  serviceName: string;
  /** A release of several services: every one, each judged (absent for the shorthand). */
  services?: ReleaseService[];
  /** The site of the environment's releases: the bucket root, under the ledger prefix. */
  site: SiteLocation;
  /**
   * web-mode atomic: the release the key value store's pointer names. Every kept release's
   * files are in the bucket side by side; only this one is served.
   */
  liveWebRelease?: () => Promise<string | undefined>;
}

/** The environment of a deploy's, rollback's or status's inputs (or a deploy's planned services). */
export function environmentOf(
  inputs: {
    bucket: string;
    "ledger-prefix": string;
    cluster: string;
    service?: string | undefined;
    services:
      | string[]
      | { key: string; shorthand: boolean; inputs: { cluster: string; service: string } }[];
    "web-mode"?: string;
    "key-value-store"?: string | undefined;
  },
  deps: {
    s3: S3Client;
    service: ServiceClients;
    cloudfront?: () => CloudFrontClient;
    keyValueStore?: () => CloudFrontKeyValueStoreClient;
  },
): Environment {
  const services: ReleaseService[] =
    typeof inputs.services[0] === "object"
      ? (
          inputs.services as {
            key: string;
            shorthand: boolean;
            inputs: { cluster: string; service: string };
          }[]
        ).map((planned) => ({
          key: planned.key,
          cluster: planned.inputs.cluster,
          service: planned.inputs.service,
          ...(planned.shorthand ? { shorthand: true as const } : {}),
        }))
      : releaseServices({
          cluster: inputs.cluster,
          service: inputs.service,
          services: inputs.services as string[],
        });
  const first = services[0] as ReleaseService;
  const store = inputs["web-mode"] === "atomic" ? inputs["key-value-store"] : undefined;
  const { cloudfront, keyValueStore } = deps;
  return {
    ...(store && cloudfront && keyValueStore
      ? {
          liveWebRelease: async () => {
            const arn = await keyValueStoreArn(cloudfront(), store, "key-value-store");
            return (await readLiveState(keyValueStore(), arn, "key-value-store")).pointer?.release;
          },
        }
      : {}),
    s3: deps.s3,
    service: deps.service,
    cluster: first.cluster,
    serviceName: first.service,
    ...(isServicesMap(services) ? { services } : {}),
    site: { bucket: inputs.bucket, prefix: "", ledgerPrefix: inputs["ledger-prefix"] },
  };
}

/** Records looked at: enough to find any run left behind since the last few releases. */
const RECORDS_READ = 20;
const READ_CONCURRENCY = 8;

export interface Observed {
  state: LedgerState;
  reality: Reality;
  /** The live pointer with its ETag: a move is conditional on it. */
  pointer: Versioned<LivePointer> | undefined;
}

/** Reads the ledger, then what the service and the site really serve. Reads only. */
export async function observe(
  ledger: Ledger,
  environment: Environment,
  inProgress?: string,
): Promise<Observed> {
  const [pointer, history, service, services] = await Promise.all([
    ledger.live(),
    ledger.history(RECORDS_READ),
    observeService(environment.service, environment.cluster, environment.serviceName),
    observeServices(environment),
  ]);
  const records = await withLiveRecord(ledger, history, pointer?.value.releaseId);
  const entryPoints = await entryPointsOf(environment, candidates(records, pointer?.value));
  const keys = [...new Set(Object.values(entryPoints).flatMap((entries) => Object.keys(entries)))];
  return {
    pointer,
    state: {
      live: pointer?.value,
      records,
      entryPoints,
      ...(inProgress ? { inProgress } : {}),
    },
    reality: {
      service,
      ...(services ? { services } : {}),
      served: await servedByPointer(
        await servedContent(environment.s3, environment.site.bucket, keys),
        environment,
      ),
    },
  };
}

/**
 * In web-mode atomic, what the bucket holds under `releases/<id>/` is served only for the
 * release the store's pointer names: the other releases' files are there, unserved.
 */
export async function servedByPointer(
  served: ServedContent,
  environment: Environment,
): Promise<ServedContent> {
  if (!environment.liveWebRelease) return served;
  const live = await environment.liveWebRelease();
  const folder = `${environment.site.prefix}${RELEASES_FOLDER}`;
  return Object.fromEntries(
    Object.entries(served).filter(
      ([key]) => !key.startsWith(folder) || key.startsWith(`${folder}${live}/`),
    ),
  );
}

/** Every service of a release of several, by key. */
async function observeServices(
  environment: Environment,
): Promise<Record<string, ServiceState> | undefined> {
  if (!environment.services) return undefined;
  const states = await Promise.all(
    environment.services.map((spec) =>
      observeService(environment.service, spec.cluster, spec.service),
    ),
  );
  return Object.fromEntries(
    environment.services.map((spec, index) => [spec.key, states[index] as ServiceState]),
  );
}

async function observeService(
  clients: ServiceClients,
  cluster: string,
  serviceName: string,
): Promise<ServiceState> {
  const current = await readCurrentService(clients, cluster, serviceName);
  const primary = current.service.deployments?.find((d) => d.status === "PRIMARY");
  const arn = current.taskDefinition.taskDefinitionArn;
  return {
    ...(arn ? { primaryTaskDefinitionArn: arn } : {}),
    ...(primary?.rolloutState ? { rolloutState: primary.rolloutState } : {}),
  };
}

/** The live release's record even when it is older than the records read. */
async function withLiveRecord(
  ledger: Ledger,
  history: ReleaseRecord[],
  liveId: string | undefined,
): Promise<ReleaseRecord[]> {
  if (liveId === undefined || history.some((record) => record.id === liveId)) return history;
  const live = await ledger.read(liveId);
  return live ? [...history, live] : history;
}

/**
 * The web releases whose entry points are worth comparing: the live one, the one a rollback
 * returns to by default, and every release a run left deploying.
 */
function candidates(records: ReleaseRecord[], pointer: LivePointer | undefined): string[] {
  const ids = new Set([pointer?.releaseId, pointer?.previous[0]]);
  const webs = records
    .filter((record) => ids.has(record.id) || record.status === "deploying")
    .flatMap((record) => webReleaseOf(record) ?? []);
  return [...new Set(webs)];
}

/** Web release id → its entry points, from the site's manifest or the release's own record. */
async function entryPointsOf(
  environment: Environment,
  webIds: string[],
): Promise<Record<string, Record<string, string>>> {
  const { s3, site } = environment;
  const manifest = await readSiteManifest(s3, site);
  const kept = new Map((manifest ? keptReleases(manifest) : []).map((r) => [r.releaseId, r]));
  const releases = await mapLimited(
    webIds,
    READ_CONCURRENCY,
    async (id) => kept.get(id) ?? (await readWebRelease(s3, site, id)),
  );
  return Object.fromEntries(
    releases.flatMap((release) => (release ? [[release.releaseId, entriesOf(release)]] : [])),
  );
}

function entriesOf(release: Release): Record<string, string> {
  return Object.fromEntries(
    Object.entries(release.files)
      .filter(([, file]) => file.role === "entry")
      .map(([key, file]) => [key, file.sha256]),
  );
}
