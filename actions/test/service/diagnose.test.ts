import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/service/diagnose";
import type { Snapshot, TaskView } from "../../src/service/snapshot";
import type { Failure } from "../../src/service/verdict";

const timedOut: Failure = { cause: "timed-out", message: "the gate timed out after 600 s" };

const pending: TaskView = {
  arn: "arn:aws:ecs:eu-west-1:1:task/c/task1",
  id: "task1",
  lastStatus: "PENDING",
  desiredStatus: "RUNNING",
  containers: [{ name: "api", lastStatus: "PENDING" }],
};

const snapshot = (tasks: TaskView[]): Snapshot => ({
  at: 600_000,
  deployments: [],
  events: [],
  tasks,
  targetGroups: [],
});

const noLogs = async () => [];

describe("the hint after a time-out without a clear failure", () => {
  it("points at the service events when there are some", async () => {
    const events = ["(service api) has started 1 tasks: (task task1)."];
    const diagnosis = await diagnose(timedOut, snapshot([pending]), events, noLogs);
    expect(diagnosis.hints).toHaveLength(1);
    expect(diagnosis.hints[0]).toMatch(/Look at the service events below$/);
  });

  it("says that ECS reported no events, and where to look instead, when there are none", async () => {
    const diagnosis = await diagnose(timedOut, snapshot([pending]), [], noLogs);
    expect(diagnosis.hints).toHaveLength(1);
    expect(diagnosis.hints[0]).not.toMatch(/events below/);
    expect(diagnosis.hints[0]).toMatch(/ECS reported no service events since the deploy began/);
    expect(diagnosis.hints[0]).toMatch(/PROVISIONING or PENDING/);
  });

  it("says that no task was started when the deployment has none", async () => {
    const diagnosis = await diagnose(timedOut, snapshot([]), [], noLogs);
    expect(diagnosis.hints[0]).toMatch(/started no task/);
    expect(diagnosis.hints[0]).not.toMatch(/events below/);
  });
});
