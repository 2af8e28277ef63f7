import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logsService } from "../../src/services/logs/index";
import { stsService } from "../../src/services/sts";
import { clientConfig, startTestCloud } from "../helpers/cloud";

/** GetLogEvents and FilterLogEvents paging as CloudWatch Logs documents it. */
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let logs: CloudWatchLogsClient;
const group = "/ecs/paging";
const base = 1_700_000_000_000;

const put = (stream: string, messages: string[], from: number) =>
  logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ timestamp: from + i * 10, message })),
    }),
  );

beforeAll(async () => {
  cloud = await startTestCloud({ services: [stsService, logsService] });
  logs = new CloudWatchLogsClient({ ...clientConfig(cloud), maxAttempts: 1 });
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const stream of ["web/api/task-a", "web/api/task-b", "other/api/task-c"]) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  }
  // a0..a4 at base, base+10, ...; b0..b4 at base+5, base+15, ...: they interleave by time.
  await put("web/api/task-a", ["a0", "a1", "a2", "a3", "a4"], base);
  await put("web/api/task-b", ["b0", "b1", "b2", "b3", "b4"], base + 5);
  await put("other/api/task-c", ["c0"], base);
});

afterAll(async () => {
  await cloud?.dispose();
});

const get = (input: { nextToken?: string; startFromHead?: boolean; limit?: number }) =>
  logs.send(
    new GetLogEventsCommand({ logGroupName: group, logStreamName: "web/api/task-a", ...input }),
  );

describe("GetLogEvents paging", () => {
  it("reads forward page by page; at the end it returns the token it was given", async () => {
    const first = await get({ startFromHead: true, limit: 2 });
    expect(first.events?.map((e) => e.message)).toEqual(["a0", "a1"]);
    const second = await get({ startFromHead: true, limit: 2, nextToken: first.nextForwardToken });
    expect(second.events?.map((e) => e.message)).toEqual(["a2", "a3"]);
    const third = await get({ startFromHead: true, limit: 2, nextToken: second.nextForwardToken });
    expect(third.events?.map((e) => e.message)).toEqual(["a4"]);
    const end = await get({ startFromHead: true, limit: 2, nextToken: third.nextForwardToken });
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(third.nextForwardToken);
    // A line written later is read from the token that had reached the end.
    await put("web/api/task-a", ["a5"], base + 100);
    const later = await get({ startFromHead: true, nextToken: end.nextForwardToken });
    expect(later.events?.map((e) => e.message)).toEqual(["a5"]);
  });

  it("returns the newest events by default and pages backward from them", async () => {
    const newest = await get({ limit: 2 });
    expect(newest.events?.map((e) => e.message)).toEqual(["a4", "a5"]);
    const before = await get({ limit: 2, nextToken: newest.nextBackwardToken });
    expect(before.events?.map((e) => e.message)).toEqual(["a2", "a3"]);
    const start = await get({ limit: 10, nextToken: before.nextBackwardToken });
    expect(start.events?.map((e) => e.message)).toEqual(["a0", "a1"]);
    const beyond = await get({ limit: 10, nextToken: start.nextBackwardToken });
    expect(beyond.events).toEqual([]);
    expect(beyond.nextBackwardToken).toBe(start.nextBackwardToken);
  });

  it("refuses a token it did not issue and a limit out of range", async () => {
    await expect(get({ nextToken: "nonsense" })).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(get({ limit: 0 })).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("FilterLogEvents paging", () => {
  it("pages through the matched streams by time; nextToken only while events remain", async () => {
    const first = await logs.send(
      new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "web/", limit: 4 }),
    );
    expect(first.events?.map((e) => e.message)).toEqual(["a0", "b0", "a1", "b1"]);
    expect(first.events?.[1]?.logStreamName).toBe("web/api/task-b");
    expect(first.nextToken).toBeDefined();
    const messages: string[] = [];
    for await (const page of paginateFilterLogEvents(
      { client: logs, pageSize: 3 },
      { logGroupName: group, logStreamNamePrefix: "web/", startTime: base + 20 },
    )) {
      messages.push(...(page.events ?? []).map((e) => e.message ?? ""));
    }
    expect(messages).toEqual(["a2", "b2", "a3", "b3", "a4", "b4", "a5"]);
    const all = await logs.send(
      new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "web/" }),
    );
    expect(all.events).toHaveLength(11);
    expect(all.nextToken).toBeUndefined();
  });

  it("refuses stream names together with a stream name prefix", async () => {
    await expect(
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          logStreamNames: ["web/api/task-a"],
          logStreamNamePrefix: "web/",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});
