import { formatDuration } from "../lib/inputs";
import type { Logger } from "../lib/logger";
import { formatStrategy } from "../strategy/spec";
import { formatBytes } from "../web/report";
import type { PlannedService, ReleasePlan } from "./plan";
import type { RollbackPlan } from "./rollback";
import type { ServiceContainers } from "./service-containers";
import type { TaskDefinitionDiff } from "./task-definition-diff";

/** A deploy's plan as --dry-run prints it: what each step would do, nothing done. */
export async function reportReleasePlan(
  plan: ReleasePlan,
  logger: Logger,
  taskDefinition?: TaskDefinitionDiff,
  /** Several services: which runs which container (read from their task definitions). */
  containers?: ServiceContainers,
): Promise<void> {
  const { web } = plan;
  const bytes = web.site.files.reduce((total, file) => total + file.size, 0);
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
      ...plan.services.map((planned) => serviceRow(planned, containers)),
      ...(taskDefinition ? taskDefinitionRows(taskDefinition) : []),
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

/** One service's row: its rollout, and with several services the containers it runs. */
function serviceRow(planned: PlannedService, containers?: ServiceContainers): string[] {
  const service = planned.inputs;
  const own = planned.shorthand ? undefined : (containers?.[planned.key] ?? []);
  const environment = Object.entries(service.environment)
    .filter(([container]) => own === undefined || own.includes(container))
    .flatMap(([container, variables]) =>
      Object.keys(variables).map((name) => `${container}:${name}`),
    );
  const name = planned.shorthand ? "service" : `service ${planned.key}`;
  const runs =
    own === undefined
      ? ""
      : `, images of ${own.length > 0 ? own.join(", ") : "no container (redeployed as it is)"}`;
  const file =
    planned.shorthand || !service.taskDefinitionFile
      ? ""
      : ` from ${service.taskDefinitionFile.path}`;
  const delivery = service.delivery;
  const strategy =
    delivery && delivery.strategy.name !== "rolling"
      ? `, ${formatStrategy(delivery.strategy)} by ECS${delivery.bakeMinutes !== undefined ? ` (bake ${delivery.bakeMinutes} min)` : ""}${delivery.analysis.enabled ? `, analysed every ${delivery.analysis.periodSeconds} s` : ""}`
      : "";
  const alarms = delivery?.alarms?.length ? `, alarms ${delivery.alarms.join(", ")}` : "";
  return [
    name,
    `${service.cluster}/${service.service}: new task definition${file}${runs}${strategy}${alarms}, gate every ${formatDuration(service.gate.pollIntervalMs)}, ${service.gate.healthyPolls} healthy polls, time-out ${formatDuration(service.gate.timeoutMs)}${service.migration ? `, migration ${service.migration.command.join(" ")}` : ""}${environment.length > 0 ? `, sets ${environment.join(" ")}` : ""}${planned.shorthand ? "" : "; all services gated together, any failure returns them all"}`,
  ];
}

/** A rollback's plan as --dry-run prints it. */
export async function reportRollbackPlan(plan: RollbackPlan, logger: Logger): Promise<void> {
  const { target, service } = plan;
  await logger.summary({
    title: `Dry run: roll ${plan.ledger.environment} back from ${plan.liveReleaseId ?? "(none)"} to ${target.id} as release ${plan.releaseId} (nothing changed)`,
    headers: ["step", "plan"],
    rows: [
      ["lock", lockLine(plan.ledger)],
      ...(plan.services ?? [{ ...service, key: "" }]).map((each) => [
        each.key ? `service ${each.key}` : "service",
        `${each.cluster}/${each.service} → ${each.key ? (target.services?.[each.key]?.taskDefinitionArn ?? "") : target.taskDefinitionArn}, gate every ${formatDuration(each.gate.pollIntervalMs)}, time-out ${formatDuration(each.gate.timeoutMs)}`,
      ]),
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

/** The new revision against the live one, one changed field a row. */
function taskDefinitionRows(diff: TaskDefinitionDiff): string[][] {
  const source = diff.file ? `from ${diff.file}` : "the running revision with the new images";
  return [
    [
      "task definition",
      `${source} against ${diff.liveArn}: ${diff.changes.length === 0 ? "no change" : `${diff.changes.length} changed field(s)`}`,
    ],
    ...diff.changes.map((change) => ["task definition", change]),
  ];
}
