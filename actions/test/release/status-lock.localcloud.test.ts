import { Writable } from "node:stream";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/releases";
import { type Clock, systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { parseStatusInputs } from "../../src/release/inputs";
import { acquireLock } from "../../src/release/lock";
import type { ReleaseRecord } from "../../src/release/record";
import { withReleaseSession } from "../../src/release/session";
import { showStatus } from "../../src/release/status";
import type { ServiceClients } from "../../src/service/clients";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

/**
 * `shipline status` leaves the record of a run that still holds the lock alone and settles the
 * record of one whose lock has expired, judging the lock by S3's clock as the lock itself does:
 * a runner an hour fast must not settle a running deploy as failed, nor one an hour slow keep a
 * dead run's record deploying forever.
 */
let cloud: S3Cloud;
const ecs = mockClient(ECSClient);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const td = (revision: number) => `arn:aws:ecs:us-east-1:0:task-definition/web:${revision}`;
const shifted = (offsetMs: number): Clock => ({
  now: () => Date.now() + offsetMs,
  sleep: systemClock.sleep,
});
const HOUR = 3_600_000;

beforeAll(async () => {
  cloud = await startS3Cloud();
  // The service runs r-1's revision; r-2's run never changed it.
  ecs
    .on(DescribeServicesCommand)
    .resolves({
      services: [
        {
          serviceName: "api",
          status: "ACTIVE",
          taskDefinition: td(1),
          deployments: [{ status: "PRIMARY", taskDefinition: td(1), rolloutState: "COMPLETED" }],
        },
      ],
    })
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: { taskDefinitionArn: td(1), status: "ACTIVE" } });
});

afterAll(async () => {
  ecs.restore();
  await cloud?.dispose();
});

/** r-1 live in `bucket`, then r-2's run, which calls `during` while it holds the lock. */
async function releases(bucket: string, during: () => Promise<void>): Promise<void> {
  await createBucket(cloud, bucket);
  for (const run of ["1", "2"]) {
    await withReleaseSession(
      {
        s3: s3Of(cloud),
        bucket,
        ledgerPrefix: ".shipline/",
        environment: "production",
        releaseId: `r-${run}`,
        context: { commit: "c0ffee", run, actor: "tester" },
        trigger: "push",
        command: "deploy",
        lockTtlMs: 60_000,
        clock: systemClock,
        logger: new TerminalLogger({ out: quiet, err: quiet }),
      },
      async (session) => {
        await session.record({ taskDefinitionArn: td(Number(run)) });
        if (run === "2") await during();
      },
    );
  }
}

async function status(bucket: string, clock: Clock): Promise<string> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  await showStatus(
    parseStatusInputs({
      environment: "production",
      bucket,
      cluster: "web",
      service: "api",
      "dry-run": "true",
    }),
    {
      s3: s3Of(cloud),
      service: { ecs: new ECSClient({ region: "us-east-1" }) } as unknown as ServiceClients,
      clock,
      logger: new TerminalLogger({ out: sink, err: sink }),
    },
  ).catch(() => undefined);
  return lines.join("");
}

describe("status judges the lock by S3's clock", () => {
  it("a runner an hour fast leaves a running deploy's record alone", async () => {
    let seen = "";
    await releases("status-fast", async () => {
      seen = await status("status-fast", shifted(HOUR));
    });
    expect(seen).toContain("under way: the deploy of release r-2");
    expect(seen).not.toMatch(/deploying → failed/);
  });

  it("a runner an hour slow settles the record of a run whose lock expired", async () => {
    // r-2's run is killed outright: its record stays as it was mid-run (deploying), and its
    // lock, here written again with a 1 s TTL, is never renewed.
    const ledger = new Ledger(s3Of(cloud), "status-slow", ".shipline/", "production");
    let midRun: ReleaseRecord | undefined;
    await releases("status-slow", async () => {
      midRun = await ledger.read("r-2");
      throw new Error("killed");
    }).catch(() => undefined);
    const ended = await ledger.readVersioned("r-2");
    if (!midRun || !ended) throw new Error("r-2 was not recorded");
    expect(midRun.status).toBe("deploying");
    await ledger.update(ended, midRun);
    await acquireLock(s3Of(cloud), {
      bucket: "status-slow",
      ledgerPrefix: ".shipline/",
      environment: "production",
      holder: { releaseId: "r-2", run: "2.1", actor: "tester", command: "deploy" },
      ttlMs: 1_000,
      clock: systemClock,
      logger: new TerminalLogger({ out: quiet, err: quiet }),
    });
    // Expired by S3's clock: LastModified is whole seconds, so past TTL plus a second's margin.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const seen = await status("status-slow", shifted(-HOUR));
    expect(seen).not.toContain("under way");
    expect(seen).toMatch(/r-2.*deploying → failed \(dry run: not recorded\)/);
  });
});
