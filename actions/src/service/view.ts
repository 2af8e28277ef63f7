import { formatTable, type Logger } from "../lib/logger";
import { taskTable } from "./diagnose";
import { matchTasksToTargets } from "./match";
import type { Snapshot } from "./snapshot";

/** Where the gate's progress goes: what changed since the last poll, and the poll itself. */
export interface ProgressView {
  show(snapshot: Snapshot, changes: string[]): void;
  /** The gate is done: leave what is shown as it is. */
  close(): void;
}

/** One log line per change: readable in any CI log (the default). */
export function changeLines(logger: Logger): ProgressView {
  return {
    show: (_snapshot, changes) => {
      for (const line of changes) logger.info(line);
    },
    close: () => {},
  };
}

/**
 * A table of the deployment's tasks redrawn in place on a terminal, with service events and
 * deployment changes printed above it as they come.
 */
export function liveTable(stream: NodeJS.WritableStream): ProgressView {
  let drawn = 0;
  return {
    show(snapshot, changes) {
      const kept = changes.filter((line) => !line.startsWith("task "));
      if (kept.length === 0 && drawn > 0 && changes.length === 0) return;
      const table = taskTable("", matchTasksToTargets(snapshot.tasks, snapshot.targetGroups));
      const text = formatTable(table.headers, table.rows);
      // Up over the previous table, clear to the end of the screen, then print anew.
      const erase = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : "";
      const permanent = kept.map((line) => `${line}\n`).join("");
      stream.write(`${erase}${permanent}${text}\n`);
      drawn = text.split("\n").length;
    },
    close() {
      drawn = 0;
    },
  };
}
