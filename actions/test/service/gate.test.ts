import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CancelledError } from "../../src/lib/cancel";
import { type Clock, ManualClock, systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { RetriesExhaustedError } from "../../src/lib/retry";
import { type GateRun, runGate } from "../../src/service/gate";

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/abc";

const serverError = () =>
  new ElasticLoadBalancingV2ServiceException({
    name: "InternalFailure",
    $fault: "server",
    $metadata: { httpStatusCode: 500 },
    message: "We encountered an internal error",
  });

/** One new deployment with one RUNNING task whose target is healthy. */
function healthyService() {
  ecs.reset();
  elb.reset();
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        deployments: [
          { id: "ecs-svc/new", status: "PRIMARY", taskDefinition: "td:2", desiredCount: 1 },
        ],
        events: [],
      },
    ],
  });
  ecs.on(ListTasksCommand).callsFake((input: { desiredStatus: string }) => ({
    taskArns: input.desiredStatus === "RUNNING" ? ["arn:aws:ecs:::task/prod/t1"] : [],
  }));
  ecs.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: "arn:aws:ecs:::task/prod/t1",
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        startedBy: "ecs-svc/new",
        attachments: [{ details: [{ name: "privateIPv4Address", value: "10.0.0.2" }] }],
        containers: [{ name: "api", lastStatus: "RUNNING" }],
      },
    ],
  });
  elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: "10.0.0.2", Port: 3000 }, TargetHealth: { State: "healthy" } },
    ],
  });
}

function gate(clock: Clock, extra: Partial<GateRun> = {}): GateRun {
  return {
    clients: { ecs: new ECSClient({}), elb: new ElasticLoadBalancingV2Client({}) },
    clock,
    logger: new TerminalLogger({ out: quiet, err: quiet }),
    cluster: "prod",
    service: "web",
    strategy: {
      name: "target health in api",
      groups: [{ targetGroupArn: TG, name: "api", containerName: "api", containerPort: 3000 }],
    },
    settings: { pollIntervalMs: 5_000, healthyPolls: 3, graceMs: 0, timeoutMs: 120_000 },
    deploymentId: "ecs-svc/new",
    knownEventIds: [],
    ...extra,
  };
}

beforeEach(healthyService);

describe("the gate under transient errors", () => {
  it("a burst of 500s on DescribeTargetHealth is ridden out: the verdict comes from answers", async () => {
    elb
      .on(DescribeTargetHealthCommand)
      .rejectsOnce(serverError())
      .rejectsOnce(serverError())
      .rejectsOnce(serverError())
      .resolves({
        TargetHealthDescriptions: [
          { Target: { Id: "10.0.0.2", Port: 3000 }, TargetHealth: { State: "healthy" } },
        ],
      });
    const outcome = await runGate(gate(new ManualClock(0)));
    expect(outcome.passed).toBe(true);
    expect(outcome.polls).toBe(3);
    expect(elb.commandCalls(DescribeTargetHealthCommand)).toHaveLength(6);
  });

  it("reads failing until the deadline: RetriesExhaustedError naming the operation, no verdict", async () => {
    elb.on(DescribeTargetHealthCommand).rejects(serverError());
    const clock = new ManualClock(0);
    const error = await runGate(gate(clock)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(
      /^ELBv2 DescribeTargetHealth kept failing \(HTTP 500 InternalFailure\) for 2m;/,
    );
    // It kept trying for the gate's whole timeout, and not past it.
    expect(clock.now()).toBe(120_000);
  });

  it("a cancellation wakes the wait between polls at once", async () => {
    const controller = new AbortController();
    const run = runGate(
      gate(systemClock, {
        signal: controller.signal,
        settings: { pollIntervalMs: 60_000, healthyPolls: 3, graceMs: 0, timeoutMs: 600_000 },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = Date.now();
    controller.abort(new CancelledError("SIGINT"));
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    // One poll happened, none after the cancellation.
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });
});
