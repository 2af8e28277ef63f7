import { describe, expect, it } from "vitest";
import type { DeploymentView, Snapshot, TaskView } from "../../src/service/snapshot";
import { type GateContext, judge, taskFailure } from "../../src/service/verdict";

const NEW_TD = "arn:aws:ecs:eu-west-1:1:task-definition/web:8";
const OLD_TD = "arn:aws:ecs:eu-west-1:1:task-definition/web:7";
const OURS = "ecs-svc/1111";

const context: GateContext = {
  deploymentId: OURS,
  startedAt: 0,
  rollbackTarget: OLD_TD,
  settings: { pollIntervalMs: 1000, healthyPolls: 3, graceMs: 10_000, timeoutMs: 60_000 },
};

const deployment = (over: Partial<DeploymentView> = {}): DeploymentView => ({
  id: OURS,
  status: "PRIMARY",
  taskDefinition: NEW_TD,
  desiredCount: 2,
  runningCount: 2,
  rolloutState: "IN_PROGRESS",
  ...over,
});

const old = (over: Partial<DeploymentView> = {}): DeploymentView => ({
  id: "ecs-svc/0000",
  status: "ACTIVE",
  taskDefinition: OLD_TD,
  desiredCount: 2,
  runningCount: 2,
  rolloutState: "COMPLETED",
  ...over,
});

const task = (n: number, over: Partial<TaskView> = {}): TaskView => ({
  arn: `arn:aws:ecs:eu-west-1:1:task/c/task${n}`,
  id: `task${n}`,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  startedAt: 0,
  ip: `10.0.0.${n}`,
  containers: [{ name: "api", lastStatus: "RUNNING" }],
  ...over,
});

/** Two new tasks; `states` are their targets' states in the one target group. */
function snapshot(options: {
  at?: number;
  deployments?: DeploymentView[];
  tasks?: TaskView[];
  states?: (string | [string, string, string])[];
}): Snapshot {
  const tasks = options.tasks ?? [task(1), task(2)];
  const states = options.states ?? ["healthy", "healthy"];
  return {
    at: options.at ?? 20_000,
    deployments: options.deployments ?? [deployment(), old()],
    events: [],
    tasks,
    targetGroups: [
      {
        arn: "arn:tg/api",
        name: "api",
        containerName: "api",
        containerPort: 3000,
        targets: tasks.flatMap((t, i) => {
          const state = states[i];
          if (!state || !t.ip) return [];
          const [s, reason, description] = Array.isArray(state) ? state : [state];
          return [
            {
              id: t.ip,
              port: 3000,
              state: s,
              ...(reason ? { reason } : {}),
              ...(description ? { description } : {}),
            },
          ];
        }),
      },
    ],
  };
}

const UNHEALTHY: [string, string, string] = [
  "unhealthy",
  "Target.ResponseCodeMismatch",
  "Health checks failed with these codes: [503]",
];

describe("judge", () => {
  it.each([
    {
      name: "all RUNNING and healthy, first poll: waiting with streak 1",
      snap: snapshot({}),
      streak: 0,
      state: "waiting",
      healthyStreak: 1,
    },
    {
      name: "all healthy on the Nth poll in a row: passed",
      snap: snapshot({}),
      streak: 2,
      state: "passed",
      healthyStreak: 3,
    },
    {
      name: "one target still initial: the streak starts over",
      snap: snapshot({ states: ["healthy", ["initial", "Elb.InitialHealthChecking", ""]] }),
      streak: 2,
      state: "waiting",
      healthyStreak: 0,
    },
    {
      name: "one task not registered yet: waiting",
      snap: snapshot({ states: ["healthy"] }),
      streak: 2,
      state: "waiting",
      healthyStreak: 0,
    },
    {
      name: "only one of two desired tasks exists: waiting",
      snap: snapshot({ tasks: [task(1)] }),
      streak: 5,
      state: "waiting",
      healthyStreak: 0,
    },
    {
      name: "a healthy target whose task is being stopped does not count",
      snap: snapshot({
        tasks: [
          task(1),
          task(2, {
            desiredStatus: "STOPPED",
            stopCode: "ServiceSchedulerInitiated",
            stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1111)",
          }),
        ],
      }),
      streak: 2,
      state: "waiting",
      healthyStreak: 0,
    },
    {
      name: "unhealthy within the grace period: not yet a failure",
      snap: snapshot({ at: 5_000, states: ["healthy", UNHEALTHY] }),
      streak: 0,
      state: "waiting",
      healthyStreak: 0,
    },
    {
      name: "no desired tasks: passes on streak alone",
      snap: snapshot({ deployments: [deployment({ desiredCount: 0 })], tasks: [] }),
      streak: 2,
      state: "passed",
      healthyStreak: 3,
    },
  ])("$name", ({ snap, streak, state, healthyStreak }) => {
    const verdict = judge(snap, context, streak);
    expect(verdict.state).toBe(state);
    if (verdict.state !== "failed") expect(verdict.healthyStreak).toBe(healthyStreak);
  });

  it.each([
    {
      name: "target unhealthy after the grace period",
      snap: snapshot({ states: ["healthy", UNHEALTHY] }),
      cause: "target-unhealthy",
      message:
        /10\.0\.0\.2:3000 of task task2 is unhealthy in target group api: Target\.ResponseCodeMismatch \(Health checks failed with these codes: \[503\]\)/,
    },
    {
      name: "essential container exited at start",
      snap: snapshot({
        tasks: [
          task(1, {
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            stopCode: "EssentialContainerExited",
            stoppedReason: "Essential container in task exited",
            containers: [{ name: "api", lastStatus: "STOPPED", exitCode: 1 }],
          }),
          task(2),
        ],
      }),
      cause: "task-failed",
      message:
        /task task1 stopped: EssentialContainerExited: Essential container in task exited; api exited with code 1/,
    },
    {
      name: "image cannot be pulled",
      snap: snapshot({
        tasks: [
          task(1, {
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            stopCode: "TaskFailedToStart",
            stoppedReason:
              "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
          }),
        ],
      }),
      cause: "task-failed",
      message: /TaskFailedToStart: CannotPullContainerError/,
    },
    {
      name: "ECS stopping a task for ELB health checks (still draining)",
      snap: snapshot({
        at: 1_000,
        tasks: [
          task(1, {
            lastStatus: "DEACTIVATING",
            desiredStatus: "STOPPED",
            stopCode: "ServiceSchedulerInitiated",
            stoppedReason: "Task failed ELB health checks in (target-group arn:tg/api)",
          }),
        ],
      }),
      cause: "task-failed",
      message: /Task failed ELB health checks/,
    },
    {
      name: "rolloutState FAILED (circuit breaker without rollback)",
      snap: snapshot({
        deployments: [
          deployment({
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
          }),
          old(),
        ],
      }),
      cause: "rollout-failed",
      message: /circuit breaker: tasks failed to start/,
    },
    {
      name: "ECS rolled back under us (circuit breaker with rollback)",
      snap: snapshot({
        deployments: [
          {
            ...old({
              id: "ecs-svc/2222",
              status: "PRIMARY",
              rolloutState: "IN_PROGRESS",
              rolloutStateReason:
                "ECS deployment detected failure. Rolling back to the last completed deployment.",
            }),
          },
          deployment({
            status: "ACTIVE",
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
          }),
        ],
      }),
      cause: "rolled-back-by-ecs",
      message:
        /ECS rolled deployment ecs-svc\/1111 back: deployment ecs-svc\/2222 returns to .*web:7/,
    },
    {
      name: "ECS rolled back under us (a deployment alarm, such as the release guard's heartbeat)",
      snap: snapshot({
        deployments: [
          {
            ...old({
              id: "ecs-svc/2222",
              status: "PRIMARY",
              rolloutState: "IN_PROGRESS",
              rolloutStateReason:
                "ECS deployment detected triggered alarm(s) (shipline-production-release-heartbeat). Rolling back to the last completed deployment.",
            }),
          },
          deployment({
            status: "ACTIVE",
            rolloutState: "FAILED",
            rolloutStateReason:
              "ECS deployment ecs-svc/1111 failed: alarm(s) detected: shipline-production-release-heartbeat.",
          }),
        ],
      }),
      cause: "rolled-back-by-ecs",
      message:
        /ECS rolled deployment ecs-svc\/1111 back: deployment ecs-svc\/2222 returns to .*web:7 \(ECS deployment ecs-svc\/1111 failed: alarm\(s\) detected: shipline-production-release-heartbeat\.\)/,
    },
    {
      name: "our deployment gone, the previous definition PRIMARY again",
      snap: snapshot({ deployments: [old({ id: "ecs-svc/2222", status: "PRIMARY" })] }),
      cause: "rolled-back-by-ecs",
      message: /ecs-svc\/2222/,
    },
    {
      name: "a competing deployment of another definition",
      snap: snapshot({
        deployments: [
          deployment({
            id: "ecs-svc/3333",
            taskDefinition: "arn:aws:ecs:eu-west-1:1:task-definition/web:9",
          }),
          deployment({ status: "ACTIVE" }),
        ],
      }),
      cause: "superseded",
      message:
        /another deployment started meanwhile: ecs-svc\/3333 on .*web:9 replaced ecs-svc\/1111/,
    },
    {
      name: "our deployment gone and nothing we know replaced it",
      snap: snapshot({
        deployments: [
          deployment({
            id: "ecs-svc/3333",
            taskDefinition: "arn:aws:ecs:eu-west-1:1:task-definition/web:9",
          }),
        ],
      }),
      cause: "deployment-gone",
      message: /ecs-svc\/1111 is no longer in the service/,
    },
    {
      name: "the hard timeout, while still waiting",
      snap: snapshot({
        at: 60_000,
        states: ["healthy", ["initial", "Elb.InitialHealthChecking", ""]],
      }),
      cause: "timed-out",
      message: /not healthy after 60 s: 1\/2 tasks serving \(2 running\)/,
    },
  ])("fails: $name → $cause", ({ snap, cause, message }) => {
    const verdict = judge(snap, context, 2);
    expect(verdict.state).toBe("failed");
    if (verdict.state === "failed") {
      expect(verdict.failure.cause).toBe(cause);
      expect(verdict.failure.message).toMatch(message);
    }
  });

  it("waits for containers with a health check to report HEALTHY, with or without a load balancer", () => {
    const checked = { ...context, healthChecked: ["api"] };
    const health = (status: string) =>
      task(1, { containers: [{ name: "api", lastStatus: "RUNNING", healthStatus: status }] });
    const withoutLb = (status: string): Snapshot => ({
      ...snapshot({ tasks: [health(status)], states: [] }),
      deployments: [deployment({ desiredCount: 1 }), old()],
      targetGroups: [],
    });
    // UNKNOWN is also what ECS reports before the first check: not yet serving.
    expect(judge(withoutLb("UNKNOWN"), checked, 5)).toMatchObject({
      state: "waiting",
      healthyStreak: 0,
    });
    expect(judge(withoutLb("HEALTHY"), checked, 2)).toMatchObject({ state: "passed" });
    // Without a health check, RUNNING is enough (as before).
    expect(judge(withoutLb("UNKNOWN"), context, 2)).toMatchObject({ state: "passed" });
    const behindLb = snapshot({
      tasks: [health("UNKNOWN"), task(2)],
      states: ["healthy", "healthy"],
    });
    expect(judge(behindLb, checked, 5)).toMatchObject({ state: "waiting", healthyStreak: 0 });
  });

  it("passing on the last poll before the deadline wins over the timeout", () => {
    expect(judge(snapshot({ at: 60_000 }), context, 2).state).toBe("passed");
  });

  it("a rollback's gate (no rollback target) treats a newer deployment as competing", () => {
    const verdict = judge(
      snapshot({
        deployments: [
          old({ id: "ecs-svc/4444", status: "PRIMARY" }),
          deployment({ status: "ACTIVE" }),
        ],
      }),
      { ...context, rollbackTarget: undefined },
      0,
    );
    expect(verdict.state === "failed" && verdict.failure.cause).toBe("superseded");
  });
});

describe("judge, when ECS moves the traffic (blue/green, canary, linear)", () => {
  const shifting: GateContext = { ...context, awaitsRollout: true };
  it("healthy tasks wait for ECS's rollout to complete: the traffic shift and its bake are part of the gate", () => {
    const verdict = judge(snapshot({}), shifting, 5);
    expect(verdict).toMatchObject({ state: "waiting", healthyStreak: 0 });
    expect(verdict.state === "waiting" && verdict.detail).toContain("ECS's rollout IN_PROGRESS");
  });
  it("passes once the rollout is COMPLETED and the tasks serve", () => {
    const done = snapshot({ deployments: [deployment({ rolloutState: "COMPLETED" }), old()] });
    expect(judge(done, shifting, 2).state).toBe("passed");
  });
  it("a rolling service passes on healthy tasks alone, as before", () => {
    expect(judge(snapshot({}), context, 2).state).toBe("passed");
  });
});

describe("taskFailure", () => {
  it.each([
    { name: "running", over: {}, failed: false },
    {
      name: "scaled in by ECS",
      over: {
        desiredStatus: "STOPPED",
        lastStatus: "STOPPED",
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: "Scaling activity initiated by (deployment x)",
        containers: [{ name: "api", exitCode: 143 }],
      },
      failed: false,
    },
    {
      name: "stopped by a user",
      over: {
        desiredStatus: "STOPPED",
        lastStatus: "STOPPED",
        stopCode: "UserInitiated",
        stoppedReason: "Task stopped by user",
      },
      failed: false,
    },
    {
      name: "spot interruption",
      over: { desiredStatus: "STOPPED", lastStatus: "STOPPED", stopCode: "SpotInterruption" },
      failed: false,
    },
    {
      name: "container health checks",
      over: {
        desiredStatus: "STOPPED",
        lastStatus: "STOPPED",
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: "Task failed container health checks",
      },
      failed: true,
    },
    {
      name: "failed to start",
      over: {
        desiredStatus: "STOPPED",
        lastStatus: "STOPPED",
        stopCode: "TaskFailedToStart",
        stoppedReason: "ResourceInitializationError: unable to pull secrets",
      },
      failed: true,
    },
  ])("$name → failed: $failed", ({ over, failed }) => {
    expect(taskFailure(task(1, over as Partial<TaskView>)) !== undefined).toBe(failed);
  });
});
