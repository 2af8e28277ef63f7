import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { TaskDefinitionBody } from "./render";

/** What the new revision changes, container by container, in words (for --dry-run and the log). */
export function describeChanges(current: TaskDefinition, next: TaskDefinitionBody): string[] {
  const lines: string[] = [];
  for (const container of next.containerDefinitions ?? []) {
    const before = current.containerDefinitions?.find((c) => c.name === container.name);
    if (before?.image !== container.image) {
      lines.push(`${container.name}: image ${before?.image ?? "(none)"} → ${container.image}`);
    }
    const old = new Map((before?.environment ?? []).map((pair) => [pair.name, pair.value]));
    for (const pair of container.environment ?? []) {
      if (!old.has(pair.name)) lines.push(`${container.name}: + ${pair.name}=${pair.value}`);
      else if (old.get(pair.name) !== pair.value) {
        lines.push(`${container.name}: ${pair.name} ${old.get(pair.name)} → ${pair.value}`);
      }
    }
  }
  return lines;
}
