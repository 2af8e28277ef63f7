import type { ECSClient } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/lib/cancel";
import { ManualClock } from "../../src/lib/clock";
import { RollbackFailedError } from "../../src/lib/errors";
import type { Logger } from "../../src/lib/logger";
import type { ServiceClients } from "../../src/service/clients";
import { ROLLING } from "../../src/strategy/inputs";
import { runProgressive } from "../../src/strategy/progressive";
import { parseStrategy } from "../../src/strategy/spec";

const logger = { info() {}, warning() {}, error() {} } as unknown as Logger;

/** An ECS whose service deployment stays IN_PROGRESS; the run is cancelled at its second poll. */
function setting(stopFails = false) {
  const sent: string[] = [];
  const controller = new AbortController();
  let polls = 0;
  const ecs = {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name;
      sent.push(name);
      if (name === "ListServiceDeploymentsCommand") {
        return {
          serviceDeployments: [{ serviceDeploymentArn: "arn:sd/1", createdAt: new Date() }],
        };
      }
      if (name === "DescribeServiceDeploymentsCommand") {
        polls += 1;
        if (polls === 2) controller.abort(new CancelledError("SIGTERM"));
        return { serviceDeployments: [{ status: "IN_PROGRESS", lifecycleStage: "SCALE_UP" }] };
      }
      if (name === "StopServiceDeploymentCommand" && stopFails) throw new Error("AccessDenied");
      return {};
    },
  } as unknown as ECSClient;
  const run = () =>
    runProgressive({
      clients: { ecs } as unknown as ServiceClients,
      clock: new ManualClock(0),
      logger,
      signal: controller.signal,
      cluster: "c",
      service: "s",
      delivery: { ...ROLLING, strategy: parseStrategy("canary") },
      since: new Date(0),
      gate: { pollIntervalMs: 1000, healthyPolls: 3, graceMs: 0, timeoutMs: 60_000 },
      followTimeoutMs: 60_000,
      wait: { name: "w", groups: [] },
      previousArn: "old",
      nextArn: "new",
      containers: [],
    });
  return { sent, run };
}

describe("runProgressive", () => {
  it("a cancelled run stops the deployment with ECS's rollback, not awaited, and keeps its exit code", async () => {
    const { sent, run } = setting();
    await expect(run()).rejects.toBeInstanceOf(CancelledError);
    expect(sent.at(-1)).toBe("StopServiceDeploymentCommand");
  });

  it("a stop that fails too is a failed rollback (exit 2)", async () => {
    const { run } = setting(true);
    await expect(run()).rejects.toBeInstanceOf(RollbackFailedError);
  });
});
