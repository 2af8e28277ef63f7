import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  ListTasksCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CancelledError } from "../../src/lib/cancel";
import { ManualClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { RetriesExhaustedError } from "../../src/lib/retry";
import { restoreService } from "../../src/release/restore-service";
import type { ServiceClients } from "../../src/service/clients";

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const LIVE = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7";
const TARGET = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:5";

const LIVE_SERVICE = {
  services: [
    {
      serviceName: "web",
      status: "ACTIVE",
      taskDefinition: LIVE,
      deployments: [{ id: "ecs-svc/live", status: "PRIMARY", taskDefinition: LIVE }],
      events: [],
    },
  ],
};

beforeEach(() => {
  ecs.reset();
  elb.reset();
  ecs.on(DescribeServicesCommand).resolves(LIVE_SERVICE);
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: LIVE } });
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
});

describe("a rollback's rollout stopped by a cancellation", () => {
  it("the service goes back to what was live, without waiting, and the cancellation stands", async () => {
    const controller = new AbortController();
    let updates = 0;
    ecs.on(UpdateServiceCommand).callsFake((input: { taskDefinition: string }) => {
      updates += 1;
      // SIGINT arrives while the rollout to the target starts.
      if (updates === 1) controller.abort(new CancelledError("SIGINT"));
      return {
        service: {
          deployments: [
            { id: `ecs-svc/${updates}`, status: "PRIMARY", taskDefinition: input.taskDefinition },
          ],
        },
      };
    });
    const clients = {
      ecs: new ECSClient({}),
      elb: new ElasticLoadBalancingV2Client({}),
    } as unknown as ServiceClients;
    const error = await restoreService(
      {
        cluster: "prod",
        service: "web",
        gate: { pollIntervalMs: 1_000, healthyPolls: 3, timeoutMs: 60_000 },
      },
      TARGET,
      {
        clients,
        clock: new ManualClock(0),
        logger: new TerminalLogger({ out: quiet, err: quiet }),
        signal: controller.signal,
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    const targets = ecs
      .commandCalls(UpdateServiceCommand)
      .map((call) => call.args[0].input.taskDefinition);
    expect(targets).toEqual([TARGET, LIVE]);
    // Not one poll of the gate after the cancellation.
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });
});

describe("an undo whose gate cannot read", () => {
  it('with onInterruption "stay" the service keeps going to the target: an undo is never undone', async () => {
    const serverError = new ECSServiceException({
      name: "InternalFailure",
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
      message: "internal error",
    });
    // The service is read once before the change; every poll of the gate fails after that.
    ecs.on(DescribeServicesCommand).resolvesOnce(LIVE_SERVICE).rejects(serverError);
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(UpdateServiceCommand).callsFake((input: { taskDefinition: string }) => ({
      service: {
        deployments: [
          { id: "ecs-svc/undo", status: "PRIMARY", taskDefinition: input.taskDefinition },
        ],
      },
    }));
    const clients = {
      ecs: new ECSClient({}),
      elb: new ElasticLoadBalancingV2Client({}),
    } as unknown as ServiceClients;
    const error = await restoreService(
      {
        cluster: "prod",
        service: "web",
        gate: { pollIntervalMs: 1_000, healthyPolls: 3, timeoutMs: 60_000 },
        onInterruption: "stay",
      },
      TARGET,
      {
        clients,
        clock: new ManualClock(0),
        logger: new TerminalLogger({ out: quiet, err: quiet }),
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/^ECS DescribeServices kept failing \(HTTP 500/);
    const targets = ecs
      .commandCalls(UpdateServiceCommand)
      .map((call) => call.args[0].input.taskDefinition);
    expect(targets).toEqual([TARGET]);
  });
});
