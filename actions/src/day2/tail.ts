import { type FilteredLogEvent, paginateFilterLogEvents } from "@aws-sdk/client-cloudwatch-logs";
import { CancelledError } from "../lib/cancel";
import type { Clock } from "../lib/clock";
import { ConfigurationError, quote } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { ServiceClients } from "../service/clients";
import { readCurrentService } from "../service/current";
import { shortId } from "../service/snapshot";
import { containersNamed } from "./container-choice";
import type { LogsInputs } from "./inputs";

export interface TailDeps {
  service: ServiceClients;
  clock: Clock;
  logger: Logger;
  /** Ends --follow (Ctrl-C): the command stops after the lines it has. */
  signal?: AbortSignal;
  /** Where the lines go (stdout by default). */
  write?: (line: string) => void;
}

/** Where one container's lines are: its awslogs group and the prefix of its streams. */
export interface LogSource {
  container: string;
  group: string;
  /** `prefix/container/`: every task's stream of this container starts with it. */
  streamPrefix: string;
}

const FOLLOW_POLL_MS = 1_000;

/** The containers of the task definition that log with awslogs and a stream prefix. */
export function logSources(
  containers: {
    name?: string;
    logConfiguration?: { logDriver?: string; options?: Record<string, string> };
  }[],
): LogSource[] {
  return containers.flatMap((container) => {
    const options = container.logConfiguration?.options;
    const group = options?.["awslogs-group"];
    const prefix = options?.["awslogs-stream-prefix"];
    if (container.logConfiguration?.logDriver !== "awslogs" || !group || !prefix || !container.name)
      return [];
    return [{ container: container.name, group, streamPrefix: `${prefix}/${container.name}/` }];
  });
}

/** `task container | message`, the task by the short id ECS consoles show. */
export function labelled(source: LogSource, event: FilteredLogEvent): string {
  const task = (event.logStreamName ?? "").slice(source.streamPrefix.length);
  return `${shortId(task)} ${source.container} | ${(event.message ?? "").replace(/\n$/, "")}`;
}

/**
 * `shipline logs`: the lines of the service's tasks since a time, by task and container, from
 * the log streams the live task definition's awslogs configuration names; with --follow, new
 * lines as they arrive until Ctrl-C. Returns how many lines it printed.
 */
export async function tailLogs(inputs: LogsInputs, deps: TailDeps): Promise<number> {
  const { clock, logger } = deps;
  const write = deps.write ?? ((line: string) => logger.info(line));
  const current = await readCurrentService(deps.service, inputs.cluster, inputs.service);
  const sources = logSources(containersNamed(current, inputs.container));
  if (sources.length === 0) {
    throw new ConfigurationError(
      `${inputs.container ? `container ${quote(inputs.container)} of ` : "no container of "}${current.taskDefinition.taskDefinitionArn} ${inputs.container ? "does not log" : "logs"} to CloudWatch Logs with the awslogs driver and an awslogs-stream-prefix: there are no streams to read`,
    );
  }
  let since = clock.now() - inputs.since;
  /** Events printed at the newest timestamp seen: a re-read from it must not print them again. */
  let seenAtNewest = new Set<string>();
  let printed = 0;
  const readOnce = async () => {
    const found: { source: LogSource; event: FilteredLogEvent }[] = [];
    for (const source of sources) {
      for await (const page of paginateFilterLogEvents(
        { client: deps.service.logs },
        { logGroupName: source.group, logStreamNamePrefix: source.streamPrefix, startTime: since },
      )) {
        for (const event of page.events ?? []) found.push({ source, event });
      }
    }
    found.sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0));
    for (const { source, event } of found) {
      const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
      if ((event.timestamp ?? 0) === since && seenAtNewest.has(id)) continue;
      if ((event.timestamp ?? 0) > since) {
        since = event.timestamp ?? since;
        seenAtNewest = new Set();
      }
      seenAtNewest.add(id);
      write(labelled(source, event));
      printed += 1;
    }
  };
  await readOnce();
  if (!inputs.follow) return printed;
  logger.debug(`following ${sources.map((s) => `${s.group}:${s.streamPrefix}*`).join(", ")}`);
  try {
    for (;;) {
      await clock.sleep(FOLLOW_POLL_MS, deps.signal);
      await readOnce();
    }
  } catch (error) {
    // Ctrl-C is how a follow ends: a clean stop, not a failure.
    if (error instanceof CancelledError) return printed;
    throw error;
  }
}
