import type { S3Client } from "@aws-sdk/client-s3";
import { lockKey } from "../ledger/keys";
import { Ledger } from "../ledger/releases";
import { type Clock, systemClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { describeLock, inspectLock } from "./lock";
import type { ReleaseRecord } from "./record";

interface HistoryInputsShape {
  bucket: string;
  "ledger-prefix": string;
  environment: string;
  limit: number;
}

/** `shipline history`: the environment's releases, newest first, the live one marked. */
export async function showHistory(
  inputs: HistoryInputsShape,
  deps: { s3: S3Client; logger: Logger; clock?: Clock },
): Promise<ReleaseRecord[]> {
  const ledger = new Ledger(deps.s3, inputs.bucket, inputs["ledger-prefix"], inputs.environment);
  const [records, live, lock] = await Promise.all([
    ledger.history(inputs.limit),
    ledger.live(),
    inspectLock(
      deps.s3,
      inputs.bucket,
      lockKey(inputs["ledger-prefix"], inputs.environment),
      deps.clock ?? systemClock,
    ),
  ]);
  const liveId = live?.value.releaseId;
  await deps.logger.summary({
    title: `Releases of ${inputs.environment}`,
    headers: ["", "release", "status", "trigger", "actor", "created", "images", "why"],
    rows: records.map((record) => [
      record.id === liveId ? "▶" : "",
      record.id,
      record.status,
      record.restores
        ? `rollback to ${record.restores}`
        : record.promotedFrom
          ? `promoted from ${record.promotedFrom.environment} ${record.promotedFrom.releaseId}`
          : record.trigger,
      record.actor,
      record.createdAt,
      Object.entries(record.images)
        .map(([name, image]) => `${name}@${image.digest.slice(7, 19)}`)
        .join(" "),
      record.failure
        ? `${record.failure.step}: ${record.failure.message.split("\n")[0]}`
        : record.reconciled
          ? `settled: ${record.reconciled.reason}`
          : "",
    ]),
  });
  const events = records.find((record) => record.id === liveId)?.events ?? [];
  if (events.length > 0) {
    await deps.logger.summary({
      title: `Changes to the service while ${liveId} is live (redeploy, scale)`,
      headers: ["started", "change", "status", "actor", "detail"],
      rows: events.map((event) => [
        event.startedAt,
        event.desiredCount
          ? `scale ${event.desiredCount.from} → ${event.desiredCount.to}`
          : `${event.kind}${event.deploymentId ? ` ${event.deploymentId}` : ""}`,
        event.status,
        event.actor,
        (event.detail ?? "").split("\n")[0] ?? "",
      ]),
    });
  }
  if (lock) deps.logger.info(describeLock(inputs.environment, lock));
  if (liveId) deps.logger.output("live-release", liveId);
  return records;
}
