import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/service/snapshot";
import { liveTable } from "../../src/service/view";

const snapshot = (state: string): Snapshot => ({
  at: 0,
  deployments: [],
  events: [],
  tasks: [
    {
      arn: "arn:aws:ecs:eu-west-1:1:task/c/abcdef0123456789",
      id: "abcdef0123456789",
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
      ip: "10.0.0.5",
      containers: [],
    },
  ],
  targetGroups: [
    {
      arn: "arn:tg/api",
      name: "api",
      containerName: "api",
      containerPort: 3000,
      targets: [{ id: "10.0.0.5", port: 3000, state }],
    },
  ],
});

describe("liveTable", () => {
  it("redraws the task table in place and keeps events above it", () => {
    const writes: string[] = [];
    const view = liveTable({
      write: (chunk: string) => writes.push(chunk),
    } as unknown as NodeJS.WritableStream);
    view.show(snapshot("initial"), ["task abcdef012345 · RUNNING · 10.0.0.5:3000 initial in api"]);
    view.show(snapshot("healthy"), [
      "event: (service web) registered 1 targets",
      "task abcdef012345 · RUNNING · 10.0.0.5:3000 healthy in api",
    ]);
    view.close();
    expect(writes).toHaveLength(2);
    expect(writes[0]).not.toContain("\x1b[");
    expect(writes[0]).toMatch(/abcdef012345\s+RUNNING\s+10\.0\.0\.5:3000\s+initial/);
    // Three lines drawn (header, rule, one task): up three, clear, event, new table.
    expect(writes[1]?.startsWith("\x1b[3F\x1b[J")).toBe(true);
    expect(writes[1]).toContain("event: (service web) registered 1 targets\n");
    expect(writes[1]).toMatch(/10\.0\.0\.5:3000\s+healthy/);
    expect(writes[1]).not.toContain("task abcdef012345 ·");
  });
});
