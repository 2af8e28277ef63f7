import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock";
import { ConfigurationError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { runRollback } from "../../src/release/commands";
import type { ReleaseDeps } from "../../src/release/deploy";
import { parseRollbackInputs } from "../../src/release/inputs";
import { withReleaseSession } from "../../src/release/session";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

/** ECS refuses to deploy a deregistered revision: a rollback to one is refused before it starts. */
let cloud: S3Cloud;
const ecs = mockClient(ECSClient);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: quiet, err: quiet });
const td = (revision: number) => `arn:aws:ecs:us-east-1:0:task-definition/web:${revision}`;

beforeAll(async () => {
  cloud = await startS3Cloud();
  await createBucket(cloud, "inactive");
  for (const revision of [1, 2]) {
    await withReleaseSession(
      {
        s3: s3Of(cloud),
        bucket: "inactive",
        ledgerPrefix: ".shipline/",
        environment: "production",
        releaseId: `r-${revision}`,
        context: { commit: "c0ffee", run: String(revision), actor: "tester" },
        trigger: "push",
        command: "deploy",
        lockTtlMs: 60_000,
        clock: systemClock,
        logger,
      },
      async (session) => {
        await session.record({ taskDefinitionArn: td(revision) });
      },
    );
  }
});

afterAll(async () => {
  await cloud?.dispose();
});

describe("rollback to a deregistered revision", () => {
  /**
   * The service runs r-2's revision, which is ACTIVE: a rollback reads what is live before it
   * chooses its target, so only r-1's revision is deregistered.
   */
  const live = () =>
    ecs
      .on(DescribeServicesCommand)
      .resolves({
        services: [
          {
            serviceName: "s",
            status: "ACTIVE",
            taskDefinition: td(2),
            deployments: [{ status: "PRIMARY", taskDefinition: td(2), rolloutState: "COMPLETED" }],
          },
        ],
      })
      .on(DescribeTaskDefinitionCommand, { taskDefinition: td(2) })
      .resolves({
        taskDefinition: { taskDefinitionArn: td(2), family: "web", revision: 2, status: "ACTIVE" },
      });
  const described = {
    INACTIVE: () =>
      ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: td(1) }).resolves({
        taskDefinition: {
          taskDefinitionArn: td(1),
          family: "web",
          revision: 1,
          status: "INACTIVE",
        },
      }),
    deleted: () =>
      ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: td(1) }).rejects(
        Object.assign(new Error("Unable to describe task definition."), {
          name: "ClientException",
        }),
      ),
  };

  it.each([
    ["INACTIVE", "which is INACTIVE"],
    ["deleted", "which is unknown to ECS (deleted)"],
  ] as const)(
    "rollback --to a release whose revision is %s is refused before any change",
    async (state, message) => {
      ecs.reset();
      live();
      described[state]();
      ecs.on(UpdateServiceCommand).rejects(new Error("must not be reached"));
      const deps: ReleaseDeps = {
        s3: s3Of(cloud),
        cloudfront: () => {
          throw new Error("not reached");
        },
        service: { ecs: new ECSClient({}) } as ReleaseDeps["service"],
        ecr: () => {
          throw new Error("not reached");
        },
        clock: systemClock,
        logger,
        env: {},
      };
      const since = cloud.requestLog.lastSeq;
      const error = await runRollback(
        parseRollbackInputs({
          environment: "production",
          bucket: "inactive",
          cluster: "c",
          service: "s",
          to: "r-1",
        }),
        deps,
      ).catch((caught: Error) => caught);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(
        `release "r-1" runs task definition ${td(1)}, ${message}`,
      );
      expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
      const writes = cloud.requestLog
        .list({ sinceSeq: since, service: "s3" })
        .filter((call) => !["GetObject", "HeadObject", "ListObjectsV2"].includes(call.operation));
      expect(writes).toEqual([]);
    },
  );
});
