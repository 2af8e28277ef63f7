import {
  ExitCode,
  RollbackFailedError,
  RolledBackError,
  ShiplineError,
  TimeoutError,
} from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { DeployServiceResult } from "./deploy-service";
import { taskTable } from "./diagnose";
import { matchTasksToTargets } from "./match";

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Step outputs, named as in actions/deploy-service/action.yml. */
export function reportOutputs(result: DeployServiceResult, logger: Logger): void {
  logger.output("task-definition-arn", result.taskDefinitionArn);
  logger.output("previous-task-definition-arn", result.previousTaskDefinitionArn);
  logger.output("deployment-id", result.deploymentId ?? "");
  logger.output("verdict", result.verdict);
  logger.output("rolled-back", String(result.rolledBack));
  logger.output("registered", String(result.registered));
  logger.output("duration", seconds(result.durationMs));
}

/** Why the rollout failed, for people: the headline, the hints, the last log lines, the events. */
export function logDiagnosis(result: DeployServiceResult, logger: Logger): void {
  const diagnosis = result.diagnosis;
  if (!diagnosis) return;
  logger.error(`diagnosis: ${diagnosis.headline}`);
  for (const hint of diagnosis.hints) logger.error(`hint: ${hint}`);
  for (const log of diagnosis.logs) {
    logger.info(`last log lines of ${log.container} in task ${log.taskId}:`);
    for (const line of log.lines) logger.info(`  | ${line}`);
  }
  if (diagnosis.events.length > 0) {
    logger.info("service events since the deploy began:");
    for (const event of diagnosis.events) logger.info(`  ${event}`);
  }
}

/** The job summary: the verdict, then the tasks of the deployment (and of the rollback). */
export async function reportSummary(result: DeployServiceResult, logger: Logger): Promise<void> {
  await logger.summary({
    title: `deploy-service ${result.service}: ${result.outcome} (${result.verdict}) in ${seconds(result.durationMs)} s`,
    headers: ["", "value"],
    rows: [
      ["task definition", result.taskDefinitionArn],
      ["previous", result.previousTaskDefinitionArn],
      ["new revision registered", String(result.registered)],
      ["deployment", result.deploymentId ?? ""],
      ["changes", result.changes.join("; ")],
      ["rolled back", String(result.rolledBack)],
      ...(result.diagnosis
        ? [
            ["diagnosis", result.diagnosis.headline],
            ...result.diagnosis.hints.map((hint) => ["hint", hint]),
            ...result.diagnosis.logs.flatMap((log) =>
              log.lines.slice(-10).map((line) => [`${log.container} log`, line]),
            ),
          ]
        : []),
      ...(result.migration
        ? [["migration", result.migration.ok ? "exit code 0" : (result.migration.reason ?? "")]]
        : []),
    ],
  });
  if (result.gate) {
    await logger.summary(
      result.diagnosis
        ? result.diagnosis.table
        : taskTable(
            "Tasks of the deployment",
            matchTasksToTargets(result.gate.last.tasks, result.gate.last.targetGroups),
          ),
    );
  }
  const rollbackGate = result.rollback?.gate;
  if (rollbackGate) {
    await logger.summary(
      taskTable(
        `Tasks of the rollback (${result.rollback?.passed ? "healthy" : "NOT healthy"})`,
        matchTasksToTargets(rollbackGate.last.tasks, rollbackGate.last.targetGroups),
      ),
    );
  }
}

/** The error that gives the run its exit code, or undefined for success. */
export function failureOf(result: DeployServiceResult): ShiplineError | undefined {
  const cause = result.diagnosis?.headline ?? "";
  const previous = result.previousTaskDefinitionArn;
  switch (result.outcome) {
    case "success":
    case "unchanged":
    case "planned":
      return undefined;
    case "migration-failed":
      // The service was never touched: it runs what it ran before.
      return new ShiplineError(
        `migration failed (${result.migration?.reason ?? "unknown"}); ${result.service} was not updated and still runs ${previous}`,
        result.migration?.reason?.includes("did not stop within")
          ? ExitCode.TimedOut
          : ExitCode.FailedRolledBack,
      );
    case "rolled-back":
      return new RolledBackError(
        `${result.service}: the new release failed (${cause}) and was rolled back to ${previous}${result.rollback?.awaited === false ? " (rollback started, not awaited)" : ", which is healthy"}`,
      );
    case "timed-out":
      return new TimeoutError(
        `${result.service}: ${cause}; rolled back to ${previous}, which is healthy`,
      );
    case "rollback-failed":
      return new RollbackFailedError(
        `ROLLBACK FAILED: ${result.service} failed (${cause}) and returning to ${previous} failed too (${result.rollback?.failure?.message ?? "unknown"}): the service needs a human now`,
      );
    case "not-rolled-back":
      return new RollbackFailedError(
        `${result.service}: the new release failed (${cause}) and was NOT rolled back (${result.verdict === "superseded" ? "another deployment replaced it" : "rollback is off"}): the service needs a human now`,
      );
  }
}

/** Outputs, the diagnosis in the log, the summary; then throws the outcome's error for run(). */
export async function reportDeployService(
  result: DeployServiceResult,
  logger: Logger,
): Promise<void> {
  reportOutputs(result, logger);
  logDiagnosis(result, logger);
  await reportSummary(result, logger);
  const error = failureOf(result);
  if (error) throw error;
  logger.info(
    `${result.service}: ${result.outcome} in ${seconds(result.durationMs)} s (${result.taskDefinitionArn})`,
  );
}
