import { matchTasksToTargets, type TaskTargets } from "./match";
import { type Snapshot, shortId } from "./snapshot";

/** One task's state in words: status, IP:port, each target's state and reason, how it stopped. */
export function describeTask(entry: TaskTargets): string {
  const { task, bindings } = entry;
  const parts = [`task ${shortId(task.id)}`, task.lastStatus];
  if (task.desiredStatus !== task.lastStatus && task.desiredStatus === "STOPPED") {
    parts.push("(stopping)");
  }
  for (const binding of bindings) {
    const where = `${task.ip ?? "(no IP yet)"}:${binding.port}`;
    const why = binding.description ?? binding.reason;
    parts.push(`${where} ${binding.state}${why ? ` (${why})` : ""} in ${binding.targetGroupName}`);
  }
  if (task.stopCode) parts.push(`stop code ${task.stopCode}`);
  if (task.stoppedReason) parts.push(`"${task.stoppedReason}"`);
  for (const container of task.containers) {
    if (container.exitCode !== undefined) {
      parts.push(`${container.name} exit code ${container.exitCode}`);
    }
    if (container.reason) parts.push(`${container.name}: ${container.reason}`);
  }
  return parts.join(" · ");
}

/**
 * Turns successive snapshots into log lines: one line when something changed (a task, a target,
 * the deployment), never one per poll; each service event once, oldest first.
 */
export class ProgressLines {
  private readonly lastByKey = new Map<string, string>();
  private readonly seenEvents: Set<string>;

  /** Events already there before the rollout (their ids) are history, not progress. */
  constructor(knownEventIds: Iterable<string> = []) {
    this.seenEvents = new Set(knownEventIds);
  }

  next(snapshot: Snapshot, deploymentId: string): string[] {
    const lines: string[] = [];
    const deployment = snapshot.deployments.find((d) => d.id === deploymentId);
    const state = deployment
      ? `deployment ${deploymentId} ${deployment.status} ${deployment.rolloutState ?? ""}: ${deployment.runningCount}/${deployment.desiredCount} running${deployment.failedTasks ? `, ${deployment.failedTasks} failed` : ""}`
      : `deployment ${deploymentId} is no longer in the service`;
    this.changed("deployment", state, lines);
    for (const entry of matchTasksToTargets(snapshot.tasks, snapshot.targetGroups)) {
      this.changed(`task ${entry.task.arn}`, describeTask(entry), lines);
    }
    const fresh = snapshot.events.filter((event) => !this.seenEvents.has(event.id)).reverse();
    for (const event of fresh) {
      this.seenEvents.add(event.id);
      lines.push(`event: ${event.message}`);
    }
    return lines;
  }

  private changed(key: string, line: string, lines: string[]): void {
    if (this.lastByKey.get(key) === line) return;
    this.lastByKey.set(key, line);
    lines.push(line);
  }
}
