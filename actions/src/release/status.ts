import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import type { S3Client } from "@aws-sdk/client-s3";
import { lockKey } from "../ledger/keys";
import { Ledger } from "../ledger/releases";
import type { Clock } from "../lib/clock";
import { ExitCode, ShiplineError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import type { StatusInputs } from "./inputs";
import { describeHolder, inspectLock } from "./lock";
import { environmentOf } from "./reality";
import type { Reconciliation, ReleaseReality } from "./reconcile";
import { settleLedger } from "./settle";

/** The service and the site do not serve one release: exit 1, the table says which serves what. */
export class MixedStateError extends ShiplineError {
  constructor(message: string) {
    super(message, ExitCode.FailedRolledBack);
  }
}

/**
 * `shipline status`: what the service and the site really serve against the ledger. Records a
 * dead run left behind are settled (unless --dry-run); the service and the site are never
 * touched. Fails with exit 1 when they do not serve one release.
 */
export async function showStatus(
  inputs: StatusInputs,
  deps: {
    s3: S3Client;
    service: ServiceClients;
    clock: Clock;
    logger: Logger;
    cloudfront?: () => CloudFrontClient;
    keyValueStore?: () => CloudFrontKeyValueStoreClient;
  },
): Promise<Reconciliation> {
  const { clock, logger } = deps;
  const ledger = new Ledger(deps.s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
  const lock = await inspectLock(
    deps.s3,
    inputs.bucket,
    lockKey(inputs["ledger-prefix"], inputs.environment),
    clock,
  );
  // A run holding a lock S3's clock does not call expired is under way: its release is in
  // progress, not left behind. The runner's clock plays no part, as for the lock itself.
  const active = lock && !lock.expired ? lock.document : undefined;
  if (active) logger.info(`under way: the ${describeHolder(active)}`);
  const { reconciliation } = await settleLedger(ledger, environmentOf(inputs, deps), {
    now: () => clock.now(),
    logger,
    dryRun: inputs["dry-run"],
    ...(active ? { inProgress: active.holder.releaseId } : {}),
  });
  await logger.summary({
    title: `What ${inputs.environment} serves`,
    headers: ["", "release", "API task definition", "SPA entry points", "ledger status"],
    rows: reconciliation.releases.map((row) => rowOf(row, reconciliation, inputs["dry-run"])),
  });
  if (reconciliation.liveId) logger.output("live-release", reconciliation.liveId);
  logger.output("consistent", String(reconciliation.consistent));
  if (!reconciliation.consistent) throw new MixedStateError(reconciliation.summary);
  logger.info(reconciliation.summary);
  return reconciliation;
}

function rowOf(row: ReleaseReality, reconciliation: Reconciliation, dryRun: boolean): string[] {
  const revision = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);
  const arn = row.taskDefinitionArn ?? "";
  // Several services: each by key, PRIMARY where it runs this release's revision.
  const api = row.services
    ? Object.entries(row.services)
        .map(
          ([key, service]) =>
            `${key}: ${service.taskDefinitionArn ? revision(service.taskDefinitionArn) : "—"}${service.primary ? " (PRIMARY)" : ""}`,
        )
        .join(", ")
    : arn
      ? `${revision(arn)}${row.api ? " (PRIMARY)" : ""}`
      : "—";
  const spa = { yes: "served", no: "not served", unknown: "—" }[row.spa];
  const status = row.settledAs
    ? `${row.status} → ${row.settledAs}${dryRun ? " (dry run: not recorded)" : " (repaired)"}`
    : row.status;
  return [row.id === reconciliation.liveId ? "▶" : "", row.id, api, spa, status];
}
