import { Writable } from "node:stream";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/program";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { readLock } from "../../src/release/lock";
import { withReleaseSession } from "../../src/release/session";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

/**
 * `rollback --dry-run` names the release it would return to and changes nothing. Like a real
 * rollback it first reads what is live (the ECS service's PRIMARY deployment and the site) to
 * choose its target, so the service is here: ECS answers as a service running r-2 would, the
 * ledger and the bucket are localcloud's.
 */
let cloud: S3Cloud;
const BUCKET = "dry-rollback";
const ecs = mockClient(ECSClient);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const td = (revision: number) => `arn:aws:ecs:us-east-1:0:task-definition/web:${revision}`;

beforeAll(async () => {
  cloud = await startS3Cloud();
  await createBucket(cloud, BUCKET);
  // Two live releases in the ledger: r-2 is live, r-1 the one before it.
  for (const revision of [1, 2]) {
    await withReleaseSession(
      {
        s3: s3Of(cloud),
        bucket: BUCKET,
        ledgerPrefix: ".shipline/",
        environment: "production",
        releaseId: `r-${revision}`,
        context: { commit: "c0ffee", run: String(revision), actor: "tester" },
        trigger: "push",
        command: "deploy",
        lockTtlMs: 60_000,
        clock: systemClock,
        logger: new TerminalLogger({ out: quiet, err: quiet }),
      },
      (session) => session.record({ taskDefinitionArn: td(revision) }),
    );
  }
  ecs
    .on(DescribeServicesCommand)
    .resolves({
      services: [
        {
          serviceName: "api",
          status: "ACTIVE",
          taskDefinition: td(2),
          deployments: [{ status: "PRIMARY", taskDefinition: td(2), rolloutState: "COMPLETED" }],
        },
      ],
    })
    .on(DescribeTaskDefinitionCommand)
    .callsFake(async (input: { taskDefinition?: string }) => ({
      taskDefinition: {
        taskDefinitionArn: input.taskDefinition,
        family: "web",
        revision: Number(input.taskDefinition?.split(":").pop()),
        status: "ACTIVE",
      },
    }));
});

afterAll(async () => {
  ecs.restore();
  await cloud?.dispose();
});

describe("rollback --dry-run", () => {
  it("prints the release it would return to, and only reads", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).trimEnd().split("\n"));
        done();
      },
    });
    const env = {
      AWS_ENDPOINT_URL: cloud.endpoint,
      AWS_REGION: cloud.region,
      AWS_ACCESS_KEY_ID: cloud.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cloud.credentials.secretAccessKey,
      GITHUB_RUN_ID: "7",
      GITHUB_SHA: "feedface".repeat(5),
    };
    // The SDK finds the endpoint and credentials in the process's environment, as in CI.
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const since = cloud.requestLog.lastSeq;
    const code = await runCli(
      [
        "rollback",
        "--config",
        "",
        "--environment",
        "production",
        "--bucket",
        BUCKET,
        "--cluster",
        "web",
        "--service",
        "api",
        "--dry-run",
      ],
      { env, logger: new TerminalLogger({ out: sink, err: sink }) },
    ).finally(() => vi.unstubAllEnvs());
    process.exitCode = undefined;
    const output = lines.join("\n");
    expect(code, output).toBe(ExitCode.Success);
    expect(output).toContain("Dry run: roll production back from r-2 to r-1");
    expect(output).toContain("task-definition/web:1");

    // It read the ledger and what the service runs, and wrote nothing anywhere.
    const calls = cloud.requestLog.list({ sinceSeq: since });
    expect(calls.length).toBeGreaterThan(0);
    const reads = ["GetObject", "HeadObject", "ListObjectsV2", "ListObjects"];
    expect(calls.filter((call) => !reads.includes(call.operation))).toEqual([]);
    expect(ecs.commandCalls(DescribeServicesCommand).length).toBeGreaterThan(0);
    expect(
      ecs
        .calls()
        .map((call) => (call.args[0] as object).constructor.name)
        .filter((name) => !name.startsWith("Describe")),
    ).toEqual([]);
    const ledger = new Ledger(s3Of(cloud), BUCKET, ".shipline/", "production");
    expect((await ledger.live())?.value.releaseId).toBe("r-2");
    expect(await readLock(s3Of(cloud), BUCKET, ".shipline/", "production")).toBeUndefined();
  });
});
