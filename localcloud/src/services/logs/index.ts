import { join } from "node:path";
import type { AwsRequest } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { jsonResponse } from "../../server/protocols";
import { JsonFile } from "../../state/json-file";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "../service";
import { filteredPage, invalidParameter, logEventsPage, type PositionedEvent } from "./paging";

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

interface LogsState {
  groups: Record<
    string,
    {
      createdAt: number;
      streams: Record<string, LogEvent[]>;
      /** Events dropped from the head of each stream: the stored ones' positions start there. */
      dropped?: Record<string, number>;
    }
  >;
}

/** CloudWatch Logs, as far as ECS's awslogs driver and a deploy's diagnosis need it. */
export interface LogsService extends LocalcloudService {
  hasGroup(group: string): boolean;
  createGroup(group: string): void;
  append(
    group: string,
    stream: string,
    events: Array<{ timestamp: number; message: string }>,
  ): void;
  events(group: string, stream: string): LogEvent[];
}

const positioned = (events: LogEvent[], offset: number): PositionedEvent[] =>
  events.map((event, index) => ({ ...event, position: offset + index }));

export const logsService: ServiceFactory = {
  name: "logs",
  create: (context) => createLogsService(context),
};

/** Keeps the newest events of a stream; older ones are dropped as a retention policy would. */
const MAX_EVENTS_PER_STREAM = 5_000;

const createLogsService = (context: ServiceContext): LogsService => {
  const state = new JsonFile<LogsState>(join(context.stateDir, "logs.json"), () => ({
    groups: {},
  }));
  let saveTimer: NodeJS.Timeout | undefined;
  // Log lines arrive one by one from containers: write the file at most a few times a second.
  const saveSoon = () => {
    saveTimer ??= setTimeout(() => {
      saveTimer = undefined;
      state.save();
    }, 500);
  };

  const group = (name: unknown) => {
    const found = typeof name === "string" ? state.data.groups[name] : undefined;
    if (!found)
      throw new AwsError("ResourceNotFoundException", "The specified log group does not exist.");
    return found;
  };
  const stream = (groupName: unknown, streamName: unknown) => {
    const events =
      typeof streamName === "string" ? group(groupName).streams[streamName] : undefined;
    if (!events)
      throw new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
    return events;
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateLogGroup(input) {
      const name = String(input.logGroupName ?? "");
      if (state.data.groups[name]) {
        throw new AwsError(
          "ResourceAlreadyExistsException",
          "The specified log group already exists",
        );
      }
      state.update((s) => {
        s.groups[name] = { createdAt: Date.now(), streams: {} };
      });
      return {};
    },
    DeleteLogGroup(input) {
      group(input.logGroupName);
      state.update((s) => {
        delete s.groups[String(input.logGroupName)];
      });
      return {};
    },
    DescribeLogGroups(input) {
      const prefix = String(input.logGroupNamePrefix ?? "");
      return {
        logGroups: Object.entries(state.data.groups)
          .filter(([name]) => name.startsWith(prefix))
          .map(([name, g]) => ({
            logGroupName: name,
            creationTime: g.createdAt,
            arn: `arn:aws:logs:${context.region}:${context.accountId}:log-group:${name}:*`,
            storedBytes: 0,
          })),
      };
    },
    CreateLogStream(input) {
      const g = group(input.logGroupName);
      const name = String(input.logStreamName ?? "");
      if (g.streams[name]) {
        throw new AwsError(
          "ResourceAlreadyExistsException",
          "The specified log stream already exists",
        );
      }
      state.update(() => {
        g.streams[name] = [];
      });
      return {};
    },
    DescribeLogStreams(input) {
      const g = group(input.logGroupName);
      const prefix = String(input.logStreamNamePrefix ?? "");
      return {
        logStreams: Object.entries(g.streams)
          .filter(([name]) => name.startsWith(prefix))
          .map(([name, events]) => ({
            logStreamName: name,
            firstEventTimestamp: events[0]?.timestamp,
            lastEventTimestamp: events.at(-1)?.timestamp,
          })),
      };
    },
    PutLogEvents(input) {
      const events = stream(input.logGroupName, input.logStreamName);
      const now = Date.now();
      for (const e of (input.logEvents as Array<{ timestamp: number; message: string }>) ?? []) {
        events.push({ timestamp: e.timestamp, message: e.message, ingestionTime: now });
      }
      saveSoon();
      return { nextSequenceToken: String(events.length) };
    },
    GetLogEvents(input) {
      const events = stream(input.logGroupName, input.logStreamName);
      const offset = group(input.logGroupName).dropped?.[String(input.logStreamName)] ?? 0;
      return logEventsPage(positioned(events, offset), offset + events.length, input);
    },
    FilterLogEvents(input) {
      const g = group(input.logGroupName);
      const prefix = input.logStreamNamePrefix as string | undefined;
      const listed = input.logStreamNames as string[] | undefined;
      if (listed && prefix !== undefined) {
        throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive");
      }
      const names = (listed ?? Object.keys(g.streams)).filter((name) =>
        prefix ? name.startsWith(prefix) : true,
      );
      const pattern =
        typeof input.filterPattern === "string" ? input.filterPattern.replace(/^"|"$/g, "") : "";
      return filteredPage(
        names.map((name) => ({
          name,
          events: positioned(g.streams[name] ?? [], g.dropped?.[name] ?? 0),
        })),
        input,
        (message) => pattern === "" || message.includes(pattern),
      );
    },
  };

  return {
    name: "logs",
    signingName: "logs",
    protocol: "json",
    throttlingError: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
    operationOf: (request: AwsRequest) =>
      request.header("x-amz-target")?.split(".")[1] ?? "Unknown",
    async handle(request, operation) {
      const op = operations[operation];
      if (!op)
        throw new AwsError(
          "UnknownOperationException",
          `localcloud does not emulate logs ${operation}`,
        );
      return jsonResponse(op(JSON.parse(request.body.toString("utf8") || "{}")));
    },
    async stop() {
      if (saveTimer) clearTimeout(saveTimer);
      state.save();
    },
    hasGroup: (name) => state.data.groups[name] !== undefined,
    createGroup(name) {
      if (!state.data.groups[name]) {
        state.update((s) => {
          s.groups[name] = { createdAt: Date.now(), streams: {} };
        });
      }
    },
    append(groupName, streamName, events) {
      const g = state.data.groups[groupName];
      if (!g) return;
      const list = g.streams[streamName] ?? [];
      g.streams[streamName] = list;
      const now = Date.now();
      for (const e of events) list.push({ ...e, ingestionTime: now });
      if (list.length > MAX_EVENTS_PER_STREAM) {
        const excess = list.length - MAX_EVENTS_PER_STREAM;
        list.splice(0, excess);
        g.dropped = { ...g.dropped, [streamName]: (g.dropped?.[streamName] ?? 0) + excess };
      }
      saveSoon();
    },
    events: (groupName, streamName) => state.data.groups[groupName]?.streams[streamName] ?? [],
  };
};
