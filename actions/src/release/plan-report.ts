import { formatDuration } from "../lib/inputs";
import type { Logger } from "../lib/logger";
import { formatBytes } from "../web/report";
import type { ReleasePlan } from "./plan";
import type { RollbackPlan } from "./rollback";

/** A deploy's plan as --dry-run prints it: what each step would do, nothing done. */
export async function reportReleasePlan(plan: ReleasePlan, logger: Logger): Promise<void> {
  const { service, web } = plan;
  const bytes = web.site.files.reduce((total, file) => total + file.size, 0);
  const environment = Object.entries(service.environment).flatMap(([container, variables]) =>
    Object.keys(variables).map((name) => `${container}:${name}`),
  );
  await logger.summary({
    title: `Dry run: release ${plan.releaseId} of ${plan.context.commit} to ${plan.ledger.environment}${plan.promotedFrom ? `, promoted from ${plan.promotedFrom.environment}` : ""} (nothing changed)`,
    headers: ["step", "plan"],
    rows: [
      ["lock", lockLine(plan.ledger)],
      ...plan.images.map((image) => [
        "images",
        image.source === "given"
          ? `${image.container}: use ${image.change.image}`
          : image.source === "copy"
            ? `${image.container}: ${image.from.uri}${image.from.repository === image.repository ? "" : ` copied by digest into ${image.repository}`} (no build)`
            : `${image.container}: build (${image.inputs.builder}) → ${image.inputs.repository}:${image.inputs.tags.join(",")}`,
      ]),
      [
        "service",
        `${service.cluster}/${service.service}: new task definition, gate every ${formatDuration(service.gate.pollIntervalMs)}, ${service.gate.healthyPolls} healthy polls, time-out ${formatDuration(service.gate.timeoutMs)}${service.migration ? `, migration ${service.migration.command.join(" ")}` : ""}${environment.length > 0 ? `, sets ${environment.join(" ")}` : ""}`,
      ],
      [
        "web",
        `${web.inputs.source}: ${web.site.files.length} file(s), ${formatBytes(bytes)} → s3://${web.inputs.bucket}/${web.inputs.prefix}; entry points last (the commit point)${web.inputs["distribution-id"].length > 0 ? `, then invalidate ${web.inputs["distribution-id"].join(", ")}` : ""}`,
      ],
      [
        "record",
        `release ${plan.releaseId} live in s3://${plan.ledger.bucket}/${plan.ledger.ledgerPrefix}`,
      ],
    ],
  });
}

/** A rollback's plan as --dry-run prints it. */
export async function reportRollbackPlan(plan: RollbackPlan, logger: Logger): Promise<void> {
  const { target, service } = plan;
  await logger.summary({
    title: `Dry run: roll ${plan.ledger.environment} back from ${plan.liveReleaseId ?? "(none)"} to ${target.id} as release ${plan.releaseId} (nothing changed)`,
    headers: ["step", "plan"],
    rows: [
      ["lock", lockLine(plan.ledger)],
      [
        "service",
        `${service.cluster}/${service.service} → ${target.taskDefinitionArn}, gate every ${formatDuration(service.gate.pollIntervalMs)}, time-out ${formatDuration(service.gate.timeoutMs)}`,
      ],
      [
        "web",
        target.web
          ? `entry points of web release ${target.web.releaseId} copied back${plan.web.distributionIds.length > 0 ? `, invalidate ${plan.web.distributionIds.join(", ")}` : ""}`
          : "no web release recorded: unchanged",
      ],
      ["record", `release ${plan.releaseId} live, restoring ${target.id}`],
    ],
  });
}

function lockLine(ledger: ReleasePlan["ledger"]): string {
  return `environment ${ledger.environment} in s3://${ledger.bucket}/${ledger.ledgerPrefix}, lock-ttl ${formatDuration(ledger.lockTtlMs)}`;
}
