import { AwsError } from "../../server/errors";

/**
 * Paging of CloudWatch Logs reads as the API documents it. Events carry their absolute position
 * in the stream (events dropped by retention included), so a token stays valid while the stream
 * grows and its oldest events are dropped.
 */
export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface PositionedEvent extends StoredEvent {
  /** Position in the stream since it was created. */
  position: number;
}

/** The API's ceiling for one page (it also stops at 1 MB, which no test here reaches). */
const MAX_PAGE = 10_000;

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

/** `limit`: 1 to 10,000, the whole ceiling when not given. */
export function pageLimit(value: unknown): number {
  if (value === undefined || value === null) return MAX_PAGE;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw invalidParameter(
      `1 validation error detected: Value '${String(value)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${MAX_PAGE}`,
    );
  }
  return limit;
}

/** startTime included, endTime excluded, as GetLogEvents and FilterLogEvents document them. */
export function inTimeRange(input: Record<string, unknown>): (event: StoredEvent) => boolean {
  const from = input.startTime === undefined ? 0 : Number(input.startTime);
  const to = input.endTime === undefined ? Number.POSITIVE_INFINITY : Number(input.endTime);
  return (event) => event.timestamp >= from && event.timestamp < to;
}

export interface LogEventsPage {
  events: StoredEvent[];
  nextForwardToken: string;
  nextBackwardToken: string;
}

/**
 * One page of GetLogEvents. Without a token: the first `limit` events (startFromHead) or the
 * last ones (the default). With `f/N`: the events from position N on, oldest first; with `b/N`:
 * those before N. Both tokens always come back; at the end of the stream (nothing read in that
 * direction) the token passed in comes back unchanged, which is how a reader knows it is done.
 */
export function logEventsPage(
  stream: PositionedEvent[],
  end: number,
  input: Record<string, unknown>,
): LogEventsPage {
  const limit = pageLimit(input.limit);
  const candidates = stream.filter(inTimeRange(input));
  const token = typeof input.nextToken === "string" ? parseToken(input.nextToken) : undefined;
  let page: PositionedEvent[];
  if (token?.direction === "f") {
    page = candidates.filter((event) => event.position >= token.position).slice(0, limit);
  } else if (token?.direction === "b") {
    page = candidates.filter((event) => event.position < token.position).slice(-limit);
  } else {
    page = input.startFromHead === true ? candidates.slice(0, limit) : candidates.slice(-limit);
  }
  const first = page[0];
  const last = page.at(-1);
  const passed = typeof input.nextToken === "string" ? input.nextToken : undefined;
  return {
    events: page.map(({ timestamp, message, ingestionTime }) => ({
      timestamp,
      message,
      ingestionTime,
    })),
    nextForwardToken: last
      ? `f/${last.position + 1}`
      : token?.direction === "f" && passed
        ? passed
        : `f/${token?.position ?? end}`,
    nextBackwardToken: first
      ? `b/${first.position}`
      : token?.direction === "b" && passed
        ? passed
        : `b/${token?.position ?? end}`,
  };
}

function parseToken(value: string): { direction: "f" | "b"; position: number } {
  const match = /^([fb])\/(\d{1,15})$/.exec(value);
  if (!match) throw invalidParameter("The specified nextToken is invalid.");
  return { direction: match[1] as "f" | "b", position: Number(match[2]) };
}

export interface FilteredEvent extends StoredEvent {
  logStreamName: string;
  eventId: string;
}

/** Where a FilterLogEvents page ended: the sort key of its last event. */
interface FilterCursor {
  timestamp: number;
  stream: string;
  position: number;
}

function compare(a: FilterCursor, b: FilterCursor): number {
  return (
    a.timestamp - b.timestamp ||
    (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) ||
    a.position - b.position
  );
}

/**
 * One page of FilterLogEvents over the matched events of several streams, by time. A nextToken
 * comes back only while matched events remain after the page (none: the search is complete); it
 * names where the page ended, so events appended meanwhile do not shift the next page.
 */
export function filteredPage(
  streams: Array<{ name: string; events: PositionedEvent[] }>,
  input: Record<string, unknown>,
  matches: (message: string) => boolean,
): { events: FilteredEvent[]; nextToken?: string; searchedLogStreams: never[] } {
  const limit = pageLimit(input.limit);
  const after = typeof input.nextToken === "string" ? parseCursor(input.nextToken) : undefined;
  const range = inTimeRange(input);
  const matched = streams
    .flatMap(({ name, events }) =>
      events
        .filter((event) => range(event) && matches(event.message))
        .map((event) => ({
          event,
          key: { timestamp: event.timestamp, stream: name, position: event.position },
        })),
    )
    .filter(({ key }) => !after || compare(key, after) > 0)
    .sort((a, b) => compare(a.key, b.key));
  const page = matched.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map(({ event, key }) => ({
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.ingestionTime,
      logStreamName: key.stream,
      eventId: `${key.stream}/${key.position}`,
    })),
    ...(matched.length > page.length && last
      ? { nextToken: Buffer.from(JSON.stringify(last.key)).toString("base64url") }
      : {}),
    // Deprecated by AWS in 2020: it answers an empty list.
    searchedLogStreams: [],
  };
}

function parseCursor(value: string): FilterCursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as FilterCursor;
    if (
      typeof parsed.timestamp === "number" &&
      typeof parsed.stream === "string" &&
      typeof parsed.position === "number"
    ) {
      return parsed;
    }
  } catch {
    // fall through: not one of ours
  }
  throw invalidParameter("The specified nextToken is invalid.");
}
