import { createHash } from "node:crypto";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeWebRelease } from "../../src/ledger/site";
import { systemClock } from "../../src/lib/clock";
import { ConfigurationError } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { runRollback } from "../../src/release/commands";
import type { ReleaseDeps } from "../../src/release/deploy";
import { parseRollbackInputs } from "../../src/release/inputs";
import { withReleaseSession } from "../../src/release/session";
import type { ServiceClients } from "../../src/service/clients";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

/** Which release a rollback returns to, and the ones it refuses before touching anything. */
const FAMILY = "arn:aws:ecs:us-east-1:0:task-definition/web";
const R1_TASK_DEFINITION = `${FAMILY}:1`;
let cloud: S3Cloud;
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: quiet, err: quiet });

beforeAll(async () => {
  cloud = await startS3Cloud();
  await createBucket(cloud, "targets");
  const release = (run: string, fail = false) =>
    withReleaseSession(
      {
        s3: s3Of(cloud),
        bucket: "targets",
        ledgerPrefix: ".shipline/",
        environment: "production",
        releaseId: `r-${run}`,
        context: { commit: "c0ffee", run, actor: "tester" },
        trigger: "push",
        command: "deploy",
        lockTtlMs: 60_000,
        clock: systemClock,
        logger,
      },
      async (session) => {
        await session.record({
          taskDefinitionArn: `${FAMILY}:${run}`,
        });
        if (fail) throw new Error("gate failed");
      },
    ).catch(() => undefined);
  await release("1");
  await release("2", true);
  // r-1's site: its own web record and its index.html, as a publish leaves them.
  const s3 = s3Of(cloud);
  const page = "<html>r-1</html>";
  const pageSha = createHash("sha256").update(page).digest("hex");
  await writeWebRelease(s3, site, {
    releaseId: "r-1",
    publishedAt: "2026-01-01T00:00:00.000Z",
    files: {
      "index.html": {
        sha256: pageSha,
        size: page.length,
        contentType: "text/html",
        cacheControl: "no-cache",
        role: "entry",
      },
    },
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: "targets",
      Key: "index.html",
      Body: page,
      Metadata: { sha256: pageSha },
    }),
  );
});
afterAll(async () => {
  await cloud?.dispose();
});

const site = { bucket: "targets", prefix: "", ledgerPrefix: ".shipline/" };
const ecs = new ECSClient({ region: "us-east-1" });
mockClient(ecs)
  .on(DescribeServicesCommand)
  .resolves({
    services: [
      {
        serviceName: "s",
        status: "ACTIVE",
        deployments: [
          { status: "PRIMARY", taskDefinition: R1_TASK_DEFINITION, rolloutState: "COMPLETED" },
        ],
      },
    ],
  })
  .on(DescribeTaskDefinitionCommand)
  .resolves({ taskDefinition: { taskDefinitionArn: R1_TASK_DEFINITION } });

const deps = (): ReleaseDeps => ({
  s3: s3Of(cloud),
  cloudfront: () => {
    throw new Error("not reached");
  },
  // The service runs r-1; anything but reading it would fail.
  service: { ecs } as unknown as ServiceClients,
  ecr: () => {
    throw new Error("not reached");
  },
  clock: systemClock,
  logger,
  env: {},
});

const attempt = (to: string, release?: string) =>
  runRollback(
    parseRollbackInputs({
      environment: "production",
      bucket: "targets",
      cluster: "c",
      service: "s",
      to,
      ...(release ? { release } : {}),
    }),
    deps(),
  );

describe("rollback targets", () => {
  it.each([
    ["previous", undefined, /has no previous live release/],
    ["r-1", undefined, /"r-1" is the live release already/],
    ["r-2", undefined, /"r-2" never went live \(status failed\)/],
    ["r-9", undefined, /"r-9" is not in the ledger/],
    ["release", undefined, /input "release" is required when "to" is release/],
    ["release", "r-2", /never went live/],
  ])("--to %s %s is refused before anything changes", async (to, release, message) => {
    const since = cloud.requestLog.lastSeq;
    const error = await attempt(to, release).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    const writes = cloud.requestLog
      .list({ sinceSeq: since, service: "s3" })
      .filter((call) => !["GetObject", "HeadObject", "ListObjectsV2"].includes(call.operation));
    expect(writes).toEqual([]);
  });
});
