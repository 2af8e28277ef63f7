import {
  DeregisterTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { revisionsKeptByLedger } from "../../src/release/kept-revisions";
import { withReleaseSession } from "../../src/release/session";
import { pruneRevisions } from "../../src/service/revisions";
import { createBucket, type S3Cloud, s3Of, startS3Cloud } from "./cloud";

/**
 * Task definitions that a kept release still runs stay ACTIVE however many deploys failed in
 * between.
 */
let cloud: S3Cloud;
const ecs = mockClient(ECSClient);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const logger = new TerminalLogger({ out: quiet, err: quiet });
const td = (revision: number) => `arn:aws:ecs:us-east-1:0:task-definition/web:${revision}`;

beforeAll(async () => {
  cloud = await startS3Cloud();
  await createBucket(cloud, "kept");
  // web:1 and web:2 went live; web:3 and web:4 failed their gates; web:5 is live now.
  const release = (revision: number, fail = false) =>
    withReleaseSession(
      {
        s3: s3Of(cloud),
        bucket: "kept",
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
        if (fail) throw new Error("gate failed");
      },
    ).catch(() => undefined);
  for (const revision of [1, 2, 3, 4, 5]) await release(revision, revision === 3 || revision === 4);
});

afterAll(async () => {
  await cloud?.dispose();
});

beforeEach(() => ecs.reset());

const ledger = () => new Ledger(s3Of(cloud), "kept", ".shipline/", "production");

describe("revisions kept for the ledger's releases", () => {
  it("are those of the live release and the ones live before it, never a failed one", async () => {
    expect(await revisionsKeptByLedger(ledger(), 2)).toEqual([td(5), td(2)]);
    expect(await revisionsKeptByLedger(ledger(), 3)).toEqual([td(5), td(2), td(1)]);
    // The ledger knows only three live releases: older revisions are not judged.
    expect(await revisionsKeptByLedger(ledger(), 4)).toBeUndefined();
  });

  it("survive a deploy after two failures with keep-revisions 2 (web:6 going live)", async () => {
    ecs.on(ListTaskDefinitionsCommand).resolves({
      taskDefinitionArns: [6, 5, 4, 3, 2, 1].map(td),
    });
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    const referenced = (await revisionsKeptByLedger(ledger(), 2)) ?? [];
    const deregistered = await pruneRevisions(
      { ecs: new ECSClient({}) },
      "web",
      { referenced },
      [td(6), td(5)],
      logger,
    );
    // The failed deploys' revisions go; web:2 (the release before the live one) stays.
    expect(deregistered).toEqual([td(4), td(3), td(1)]);
    expect(deregistered).not.toContain(td(2));
  });
});
