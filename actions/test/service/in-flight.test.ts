import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock";
import { ExitCode, TimeoutError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import {
  IN_FLIGHT_STATUSES,
  planInFlightWait,
  waitForInFlightDeployments,
} from "../../src/service/in-flight";

const A = "arn:aws:ecs:eu-west-1:123456789012:service-deployment/app/api/a";
const B = "arn:aws:ecs:eu-west-1:123456789012:service-deployment/app/api/b";
const at = { now: 1_000, deadline: 5_000, dryRun: false };

describe("planInFlightWait", () => {
  it("goes on when ECS has no deployment of the service in flight", () => {
    expect(planInFlightWait([], new Set(), at)).toEqual({
      started: [],
      ended: [],
      action: "proceed",
    });
  });

  it.each(IN_FLIGHT_STATUSES)("waits for a deployment %s, told once", (status) => {
    const first = planInFlightWait([{ arn: A, status }], new Set(), at);
    expect(first).toEqual({ started: [{ arn: A, status }], ended: [], action: "wait" });
    const again = planInFlightWait([{ arn: A, status }], new Set([A]), at);
    expect(again).toEqual({ started: [], ended: [], action: "wait" });
  });

  it("lets a new deployment supersede a rolling one still starting or replacing tasks, as ECS intends", () => {
    for (const status of ["PENDING", "IN_PROGRESS"]) {
      expect(
        planInFlightWait([{ arn: A, status, strategy: "ROLLING" }], new Set(), at).action,
      ).toBe("proceed");
      expect(planInFlightWait([{ arn: A, status, strategy: "CANARY" }], new Set(), at).action).toBe(
        "wait",
      );
    }
    for (const status of ["STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]) {
      expect(
        planInFlightWait([{ arn: A, status, strategy: "ROLLING" }], new Set(), at).action,
      ).toBe("wait");
    }
  });

  it("ignores a deployment that has ended (a list without the status filter)", () => {
    for (const status of ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]) {
      expect(planInFlightWait([{ arn: A, status }], new Set(), at).action).toBe("proceed");
    }
  });

  it("tells the end of one it waited for, and waits on for another", () => {
    const step = planInFlightWait([{ arn: B, status: "PENDING" }], new Set([A]), at);
    expect(step).toEqual({
      started: [{ arn: B, status: "PENDING" }],
      ended: [A],
      action: "wait",
    });
    expect(planInFlightWait([], new Set([B]), at)).toEqual({
      started: [],
      ended: [B],
      action: "proceed",
    });
  });

  it("gives up at the deadline", () => {
    const step = planInFlightWait([{ arn: A, status: "ROLLBACK_IN_PROGRESS" }], new Set([A]), {
      ...at,
      now: at.deadline,
    });
    expect(step.action).toBe("timed-out");
  });

  it("a dry run reports what it would wait for and never waits", () => {
    const step = planInFlightWait([{ arn: A, status: "ROLLBACK_IN_PROGRESS" }], new Set(), {
      ...at,
      dryRun: true,
    });
    expect(step).toEqual({
      started: [{ arn: A, status: "ROLLBACK_IN_PROGRESS" }],
      ended: [],
      action: "report",
    });
  });
});

describe("waitForInFlightDeployments", () => {
  const ecs = mockClient(ECSClient);
  let lines: string[];
  const logger = () =>
    new TerminalLogger({
      out: { write: (chunk: string) => lines.push(chunk) > 0 } as unknown as NodeJS.WritableStream,
      err: { write: (chunk: string) => lines.push(chunk) > 0 } as unknown as NodeJS.WritableStream,
    });
  const wait = {
    cluster: "app",
    service: "api",
    timeoutMs: 10_000,
    timeoutInput: "gate-timeout",
    pollIntervalMs: 1_000,
  };
  beforeEach(() => {
    ecs.reset();
    lines = [];
  });

  it("asks ECS for the in-flight statuses only; waits for the rollback, then names how it ended", async () => {
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolvesOnce({
        serviceDeployments: [{ serviceDeploymentArn: A, status: "ROLLBACK_IN_PROGRESS" }],
      })
      .resolvesOnce({
        serviceDeployments: [{ serviceDeploymentArn: A, status: "ROLLBACK_IN_PROGRESS" }],
      })
      .resolves({ serviceDeployments: [] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: A, status: "ROLLBACK_SUCCESSFUL" }],
    });
    const clock = new ManualClock(0);
    await waitForInFlightDeployments({ ecs: new ECSClient({}) }, wait, {
      clock,
      logger: logger(),
    });
    const listed = ecs.commandCalls(ListServiceDeploymentsCommand);
    expect(listed).toHaveLength(3);
    expect(listed[0]?.args[0].input.status?.sort()).toEqual([...IN_FLIGHT_STATUSES].sort());
    expect(clock.sleeps).toEqual([1_000, 1_000]);
    const text = lines.join("");
    expect(text.match(/is ROLLBACK_IN_PROGRESS: waiting for it to end/g)).toHaveLength(1);
    expect(text).toContain(`service deployment ${A} ended ROLLBACK_SUCCESSFUL`);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it("still in flight at the timeout: exit 3 naming it and the input", async () => {
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: A, status: "STOP_REQUESTED" }] });
    const clock = new ManualClock(0);
    const error = await waitForInFlightDeployments({ ecs: new ECSClient({}) }, wait, {
      clock,
      logger: logger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).exitCode).toBe(ExitCode.TimedOut);
    expect((error as Error).message).toContain(`${A} (STOP_REQUESTED) still in flight after 10 s`);
    expect((error as Error).message).toContain('input "gate-timeout"');
    expect(clock.now()).toBe(10_000);
  });

  it("a dry run names it and returns at once", async () => {
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: A, status: "IN_PROGRESS" }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: A, deploymentConfiguration: { strategy: "BLUE_GREEN" } },
      ],
    });
    const clock = new ManualClock(0);
    await waitForInFlightDeployments(
      { ecs: new ECSClient({}) },
      { ...wait, dryRun: true },
      { clock, logger: logger() },
    );
    expect(clock.sleeps).toEqual([]);
    expect(lines.join("")).toContain(`${A} is IN_PROGRESS: a run would wait for it to end`);
  });

  it.each(["ClusterNotFoundException", "ServiceNotFoundException"])(
    "a missing cluster or service (%s) is left to the read that names the input",
    async (name) => {
      ecs
        .on(ListServiceDeploymentsCommand)
        .rejects(Object.assign(new Error("not found"), { name }));
      const clock = new ManualClock(0);
      await waitForInFlightDeployments({ ecs: new ECSClient({}) }, wait, {
        clock,
        logger: logger(),
      });
      expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
    },
  );

  it("reads the strategy of an ongoing deployment: a rolling one is not waited for, a canary is", async () => {
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: A, status: "IN_PROGRESS" }] });
    // ECS names no strategy for a rolling deployment: ROLLING is its default.
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: A, status: "IN_PROGRESS" }] })
      .resolves({
        serviceDeployments: [
          {
            serviceDeploymentArn: A,
            status: "IN_PROGRESS",
            deploymentConfiguration: { strategy: "CANARY" },
          },
        ],
      });
    const clock = new ManualClock(0);
    await waitForInFlightDeployments({ ecs: new ECSClient({}) }, wait, {
      clock,
      logger: logger(),
    });
    expect(clock.sleeps).toEqual([]);
    expect(
      ecs.commandCalls(DescribeServiceDeploymentsCommand)[0]?.args[0].input.serviceDeploymentArns,
    ).toEqual([A]);
    const canary = await waitForInFlightDeployments({ ecs: new ECSClient({}) }, wait, {
      clock,
      logger: logger(),
    }).catch((e: unknown) => e);
    expect(canary).toBeInstanceOf(TimeoutError);
  });
});
