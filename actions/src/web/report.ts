import type { Logger, SummaryTable } from "../lib/logger";
import type { FileRole } from "./manifest";
import type { PlannedFile, PlanTotals } from "./plan";

export interface InvalidationOutcome {
  distributionId: string;
  /** Empty in a dry run. */
  id: string;
  paths: string[];
  status: string;
}

/** Everything a publish did (or, in a dry run, would do), for outputs, summaries and tests. */
export interface PublishResult {
  releaseId: string;
  bucket: string;
  prefix: string;
  dryRun: boolean;
  files: PlannedFile[];
  totals: PlanTotals;
  bytesSent: number;
  deleted: number;
  /** Keys to delete (done, or planned in a dry run). */
  deletes: string[];
  deleteBytes: number;
  invalidations: InvalidationOutcome[];
  url?: string;
  durationMs: number;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const ROLES: { role: FileRole; label: string }[] = [
  { role: "immutable", label: "immutable assets" },
  { role: "other", label: "other files" },
  { role: "entry", label: "entry points" },
];

export function publishTable(result: PublishResult): SummaryTable {
  const verb = result.dryRun ? "Plan for" : "Published";
  return {
    title: `${verb} release ${result.releaseId} to s3://${result.bucket}/${result.prefix}${result.url ? ` (${result.url})` : ""}`,
    headers: ["group (in order)", "files", "uploaded", "copied", "unchanged", "bytes sent"],
    rows: ROLES.map(({ role, label }) => {
      const files = result.files.filter((file) => file.role === role);
      const count = (action: PlannedFile["action"]) =>
        String(files.filter((file) => file.action === action).length);
      const sent = files
        .filter((file) => file.action === "upload")
        .reduce((total, file) => total + file.size, 0);
      return [
        label,
        String(files.length),
        count("upload"),
        count("copy"),
        count("skip"),
        formatBytes(sent),
      ];
    }),
  };
}

export function invalidationTable(invalidations: InvalidationOutcome[]): SummaryTable {
  return {
    title: "CloudFront invalidations",
    headers: ["distribution", "invalidation", "status", "paths"],
    rows: invalidations.map((item) => [
      item.distributionId,
      item.id || "(dry run)",
      item.status,
      item.paths.join(" "),
    ]),
  };
}

/** Step outputs (named as in action.yml), the job summary and one closing line. */
export async function reportPublish(result: PublishResult, logger: Logger): Promise<void> {
  const { totals } = result;
  logger.output("release-id", result.releaseId);
  logger.output("uploaded", String(totals.uploaded));
  logger.output("uploaded-bytes", String(totals.uploadedBytes));
  logger.output("copied", String(totals.copied));
  logger.output("skipped", String(totals.skipped));
  logger.output("skipped-bytes", String(totals.skippedBytes));
  logger.output("deleted", String(result.deleted));
  logger.output(
    "deleted-bytes",
    String(result.deleted > 0 || result.dryRun ? result.deleteBytes : 0),
  );
  logger.output(
    "invalidation-id",
    result.invalidations
      .map((item) => item.id)
      .filter(Boolean)
      .join(","),
  );
  logger.output(
    "invalidation-paths",
    [...new Set(result.invalidations.flatMap((item) => item.paths))].join(","),
  );
  logger.output("url", result.url ?? "");
  if (result.dryRun) {
    for (const file of result.files.filter((item) => item.action !== "skip")) {
      logger.info(
        `would ${file.action} ${file.key} (${file.reason}${file.copyFrom && file.copyFrom !== file.key ? `, from ${file.copyFrom}` : ""})`,
      );
    }
    for (const key of result.deletes) logger.info(`would delete ${key}`);
  }
  await logger.summary(publishTable(result));
  if (result.invalidations.length > 0)
    await logger.summary(invalidationTable(result.invalidations));
  const verb = result.dryRun ? "would publish" : "published";
  logger.info(
    `${verb} ${result.releaseId} in ${result.durationMs} ms: ${totals.uploaded} uploaded (${formatBytes(totals.uploadedBytes)}), ${totals.copied} copied, ${totals.skipped} unchanged, ${result.dryRun ? result.deletes.length : result.deleted} deleted, ${result.invalidations.length} invalidation(s)`,
  );
}
