import { describe, expect, it } from "vitest";
import { matchTasksToTargets, unmatchedTargets } from "../../src/service/match";
import type { TargetGroupView, TaskView } from "../../src/service/snapshot";

const task = (id: string, ip?: string): TaskView => ({
  arn: `arn:aws:ecs:eu-west-1:1:task/c/${id}`,
  id,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  ...(ip ? { ip } : {}),
  containers: [],
});

const group = (
  name: string,
  containerPort: number,
  targets: TargetGroupView["targets"],
): TargetGroupView => ({
  arn: `arn:tg/${name}`,
  name,
  containerName: name,
  containerPort,
  targets,
});

describe("matchTasksToTargets with a blue/green pair", () => {
  it("finds a task's target in the pair's other group, and names that group", () => {
    const pair: TargetGroupView = {
      ...group("web", 8080, [{ id: "10.0.0.9", port: 8080, state: "draining" }]),
      alternate: {
        arn: "arn:tg/web-alternate",
        name: "web-alternate",
        targets: [{ id: "10.0.0.5", port: 8080, state: "healthy" }],
      },
    };
    const [entry] = matchTasksToTargets([task("t1", "10.0.0.5")], [pair]);
    expect(entry?.bindings).toEqual([
      expect.objectContaining({
        state: "healthy",
        targetGroupArn: "arn:tg/web-alternate",
        targetGroupName: "web-alternate",
      }),
    ]);
  });
  it("without the pair, the same task is unregistered (what a rolling gate saw)", () => {
    const [entry] = matchTasksToTargets(
      [task("t1", "10.0.0.5")],
      [group("web", 8080, [{ id: "10.0.0.9", port: 8080, state: "draining" }])],
    );
    expect(entry?.bindings[0]?.state).toBe("unregistered");
  });
});

describe("matchTasksToTargets", () => {
  it.each([
    {
      name: "IP and port match",
      tasks: [task("t1", "10.0.0.5")],
      groups: [group("api", 3000, [{ id: "10.0.0.5", port: 3000, state: "healthy" }])],
      expected: [["healthy"]],
    },
    {
      name: "same IP, other port (another service or container on the task's IP) is not ours",
      tasks: [task("t1", "10.0.0.5")],
      groups: [group("api", 3000, [{ id: "10.0.0.5", port: 8080, state: "healthy" }])],
      expected: [["unregistered"]],
    },
    {
      name: "same port, other IP (an old task) is not ours",
      tasks: [task("t1", "10.0.0.5")],
      groups: [group("api", 3000, [{ id: "10.0.0.6", port: 3000, state: "healthy" }])],
      expected: [["unregistered"]],
    },
    {
      name: "a task without an IP yet has no target",
      tasks: [task("t1")],
      groups: [group("api", 3000, [{ id: "10.0.0.5", port: 3000, state: "healthy" }])],
      expected: [["unregistered"]],
    },
    {
      name: "one task in two target groups on two ports",
      tasks: [task("t1", "10.0.0.5"), task("t2", "10.0.0.7")],
      groups: [
        group("web", 8080, [
          { id: "10.0.0.5", port: 8080, state: "healthy" },
          { id: "10.0.0.7", port: 8080, state: "initial", reason: "Elb.InitialHealthChecking" },
        ]),
        group("api", 3000, [
          { id: "10.0.0.5", port: 3000, state: "unhealthy", reason: "Target.ResponseCodeMismatch" },
          { id: "10.0.0.7", port: 3000, state: "healthy" },
        ]),
      ],
      expected: [
        ["healthy", "unhealthy"],
        ["initial", "healthy"],
      ],
    },
  ])("$name", ({ tasks, groups, expected }) => {
    const matched = matchTasksToTargets(tasks, groups);
    expect(matched.map((entry) => entry.bindings.map((binding) => binding.state))).toEqual(
      expected,
    );
  });

  it("carries the target's reason and description, and the group and port", () => {
    const [entry] = matchTasksToTargets(
      [task("t1", "10.0.0.5")],
      [
        group("api", 3000, [
          {
            id: "10.0.0.5",
            port: 3000,
            state: "unhealthy",
            reason: "Target.ResponseCodeMismatch",
            description: "Health checks failed with these codes: [503]",
          },
        ]),
      ],
    );
    expect(entry?.bindings[0]).toEqual({
      targetGroupArn: "arn:tg/api",
      targetGroupName: "api",
      port: 3000,
      state: "unhealthy",
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [503]",
    });
  });

  it("lists the targets that belong to none of the tasks", () => {
    const groups = [
      group("api", 3000, [
        { id: "10.0.0.5", port: 3000, state: "healthy" },
        { id: "10.0.0.9", port: 3000, state: "draining" },
      ]),
    ];
    expect(unmatchedTargets([task("t1", "10.0.0.5")], groups)).toEqual([
      { group: "api", id: "10.0.0.9", port: 3000, state: "draining" },
    ]);
  });
});
