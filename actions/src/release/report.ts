import type { Logger } from "../lib/logger";
import type { ReleaseRecord } from "./record";

/**
 * What a deploy or a rollback reports, the same from the actions and the CLI: its outputs and
 * one job summary table of its steps (on GitHub in GITHUB_STEP_SUMMARY, elsewhere printed).
 */
export async function reportRelease(
  kind: "deploy" | "rollback",
  record: ReleaseRecord,
  environment: string,
  logger: Logger,
): Promise<void> {
  logger.output("release-id", record.id);
  if (kind === "rollback") logger.output("restored", record.restores ?? "");
  logger.output("task-definition-arn", record.taskDefinitionArn ?? "");
  if (kind === "deploy") {
    logger.output(
      "images",
      Object.entries(record.images)
        .map(([container, image]) => `${container}=${image.uri}`)
        .join("\n"),
    );
  }
  await logger.summary({
    title:
      kind === "deploy"
        ? `Release ${record.id} is live in ${environment}`
        : `Rolled back ${environment} to ${record.restores}`,
    headers: ["step", "status", "seconds"],
    rows: record.steps.map((step) => [step.name, step.status, (step.durationMs / 1000).toFixed(1)]),
  });
}
