import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { ModifyTargetGroupCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { TerminalLogger } from "../../src/lib/logger";
import { readLock } from "../../src/release/lock";
import { withReleaseSession } from "../../src/release/session";
import { actionsNeeded, missingFromPolicy } from "../release/iam";
import { type RunEnd, runShipline, type ShiplineRun } from "../release/shipline-run";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";

/**
 * The everyday commands on a running environment, on localcloud with real tasks: one stack for
 * the whole file (a service of one task behind the load balancer, and a ledger whose live
 * release is what the service runs).
 */
let stack: ServiceStack;
let live = "";
const BUCKET = "day2";
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

beforeAll(async () => {
  stack = await startServiceStack();
  live = await stack.createService({ RELEASE_ID: "r-1" }, { desiredCount: 1 });
  await waitSteadyOn(stack, live);
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  // The release that put `live` on the service, as a deploy records it.
  await withReleaseSession(
    {
      s3: s3(),
      bucket: BUCKET,
      ledgerPrefix: ".shipline/",
      environment: "production",
      releaseId: "r-1",
      context: { commit: "c0ffee", run: "1", actor: "tester" },
      trigger: "push",
      command: "deploy",
      lockTtlMs: 60_000,
      clock: systemClock,
      logger: new TerminalLogger({ out: quiet, err: quiet }),
    },
    (session) => session.record({ taskDefinitionArn: live }),
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

function s3(): S3Client {
  return new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });
}

const ledger = () => new Ledger(s3(), BUCKET, ".shipline/", "production");

let runs = 10;
/** The environment of run `n`, as a CI job gives it (localcloud's endpoints, the run's ids). */
function envOf(n: number): Record<string, string> {
  return {
    ...stack.cloud.env(),
    AWS_REGION: stack.cloud.region,
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_RUN_ID: String(n),
    GITHUB_ACTOR: "tester",
  };
}

function shipline(args: string[], options: { spawned?: boolean } = {}): ShiplineRun {
  runs += 1;
  return runShipline({ args, env: envOf(runs), spawned: options.spawned ?? false });
}

const where = () => [
  "--environment",
  "production",
  "--cluster",
  stack.cluster,
  "--service",
  stack.service,
];
const gated = () => [
  ...where(),
  "--bucket",
  BUCKET,
  "--gate-interval",
  "1s",
  "--healthy-polls",
  "3",
  "--grace-period",
  "1s",
  "--gate-timeout",
  "90s",
];

async function runningTasks(): Promise<string[]> {
  const listed = await stack.clients.ecs.send(
    new ListTasksCommand({
      cluster: stack.cluster,
      serviceName: stack.service,
      desiredStatus: "RUNNING",
    }),
  );
  return listed.taskArns ?? [];
}

/** What the calls since `since` wrote: ECS changes and S3 writes. */
function writesSince(since: number): string[] {
  return stack.cloud.requestLog
    .list({ sinceSeq: since })
    .filter(
      (call) =>
        (call.service === "ecs" && /^(Update|Run|Stop|Register)/.test(call.operation)) ||
        (call.service === "s3" && /^(Put|Delete|Copy)/.test(call.operation)),
    )
    .map((call) => `${call.service} ${call.operation}`);
}

/**
 * Runs `shipline <command>` in this process and checks that its IAM policy
 * (actions/iam/<command>.json) allows every call it made.
 */
async function withinPolicy(args: string[]): Promise<RunEnd> {
  const since = stack.cloud.requestLog.lastSeq;
  const end = await shipline(args).done;
  const until = stack.cloud.requestLog.lastSeq;
  const calls = stack.cloud.requestLog
    .list({ sinceSeq: since })
    .filter((call) => call.seq <= until);
  const command = args[0] ?? "";
  expect(
    await missingFromPolicy(command, actionsNeeded(calls)),
    `actions/iam/${command}.json lacks what these calls need`,
  ).toEqual([]);
  return end;
}

const noError = (end: RunEnd) => `exit ${end.code}\n${end.output}`;

describe("shipline redeploy", () => {
  it("replaces the tasks with new ones of the same revision, gated, and records it on the live release", async () => {
    const before = await runningTasks();
    const previous = (await stack.describe()).deployments?.[0]?.id;
    const end = await withinPolicy(["redeploy", ...gated()]);
    expect(end.code, noError(end)).toBe(0);
    expect(end.output).toMatch(/gate: passed, 1\/1 tasks serving/);
    const service = await stack.describe();
    const primary = service.deployments?.find((d) => d.status === "PRIMARY");
    expect(primary?.id).not.toBe(previous);
    expect(primary?.taskDefinition).toBe(live);
    expect(service.taskDefinition).toBe(live);
    await waitSteadyOn(stack, live, "the redeployment steady");
    const after = await runningTasks();
    expect(after).toHaveLength(1);
    expect(after.filter((arn) => before.includes(arn))).toEqual([]);
    const record = await ledger().read("r-1");
    expect(record?.events).toEqual([
      expect.objectContaining({
        kind: "redeploy",
        status: "done",
        deploymentId: primary?.id,
        taskDefinitionArn: live,
        actor: "tester",
      }),
    ]);
    // An event of the live release, not a new release.
    expect((await ledger().history()).map((r) => r.id)).toEqual(["r-1"]);
    expect((await ledger().live())?.value.releaseId).toBe("r-1");
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
    const history = await shipline(["history", "--environment", "production", "--bucket", BUCKET])
      .done;
    expect(history.output).toMatch(/Changes to the service while r-1 is live/);
    expect(history.output).toContain(`redeploy ${primary?.id}`);
  }, 180_000);

  it("--dry-run says what it would do and writes nothing (redeploy, scale, run)", async () => {
    const since = stack.cloud.requestLog.lastSeq;
    const end = await shipline(["redeploy", ...gated(), "--dry-run"]).done;
    expect(end.code, noError(end)).toBe(0);
    expect(end.output).toMatch(/dry run: would force a new deployment of web on .*web:1/);
    const scaled = await shipline(["scale", ...gated(), "--count", "3", "--dry-run"]).done;
    expect(scaled.code, noError(scaled)).toBe(0);
    expect(scaled.output).toMatch(/dry run: would scale web from 1 to 3 tasks/);
    const ran = await shipline(["run", ...where(), "--dry-run", "--", "node", "-v"]).done;
    expect(ran.code, noError(ran)).toBe(0);
    expect(ran.output).toMatch(/dry run: would run \["node","-v"\] in container api/);
    expect(writesSince(since)).toEqual([]);
  });

  it("refuses an environment whose ledger has no live release, before any change (exit 4)", async () => {
    const since = stack.cloud.requestLog.lastSeq;
    const end = await shipline(["redeploy", ...gated(), "--environment", "staging"]).done;
    expect(end.code, noError(end)).toBe(4);
    expect(end.output).toMatch(/environment "staging" has no live release in the ledger/);
    expect(writesSince(since)).toEqual([]);
  });
});

describe("shipline scale", () => {
  it("scales to 2 (gated on the new task) and back to 1, each recorded on the live release", async () => {
    const up = await withinPolicy(["scale", ...gated(), "--count", "2"]);
    expect(up.code, noError(up)).toBe(0);
    expect(up.output).toMatch(/desired count 1 → 2/);
    expect(up.output).toMatch(/gate: passed, 2\/2 tasks serving/);
    expect(await runningTasks()).toHaveLength(2);

    const down = await withinPolicy(["scale", ...gated(), "--count", "1"]);
    expect(down.code, noError(down)).toBe(0);
    expect(down.output).toMatch(/desired count 2 → 1/);
    expect((await stack.describe()).runningCount).toBe(1);

    const scalings = (await ledger().read("r-1"))?.events?.filter((e) => e.kind === "scale");
    expect(scalings?.map((e) => [e.status, e.desiredCount])).toEqual([
      ["done", { from: 1, to: 2 }],
      ["done", { from: 2, to: 1 }],
    ]);
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
  }, 180_000);

  it("Ctrl-C during a scale-up's gate: exit 130, the count goes back, the event says cancelled, the lock is free", async () => {
    const run = runShipline({
      args: ["scale", ...gated(), "--count", "2"],
      env: envOf(++runs),
      spawned: true,
      onLine: (line, self) => {
        if (line.startsWith("gate: waiting")) self.kill("SIGINT");
      },
    });
    const end = await run.done;
    expect(end.code, noError(end)).toBe(130);
    expect((await stack.describe()).desiredCount).toBe(1);
    const last = (await ledger().read("r-1"))?.events?.at(-1);
    expect(last).toMatchObject({
      kind: "scale",
      status: "cancelled",
      desiredCount: { from: 1, to: 2 },
    });
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
    await waitFor("one task again", async () =>
      (await runningTasks()).length === 1 ? true : undefined,
    );
  }, 120_000);

  it.each([["two"], ["-1"], ["5001"], ["1.5"]])(
    "--count %s exits 4 naming the input, and changes nothing",
    async (count) => {
      const since = stack.cloud.requestLog.lastSeq;
      const end = await shipline(["scale", ...gated(), `--count=${count}`]).done;
      expect(end.code, noError(end)).toBe(4);
      expect(end.output).toMatch(/input "count" must be a whole number of tasks from 0 to 5000/);
      expect(writesSince(since)).toEqual([]);
    },
  );
});

describe("shipline run", () => {
  it("runs a one-off command in a task of the live revision, prints its output and exits with its code", async () => {
    const end = await withinPolicy([
      "run",
      ...where(),
      "--",
      "node",
      "-e",
      "console.log('hello'); process.exit(3)",
    ]);
    expect(end.code, noError(end)).toBe(3);
    expect(end.output.split("\n")).toContain("hello");
    expect(end.output).toMatch(/api exited with code 3/);
  }, 120_000);

  it("exits 0 when the command succeeds, and 4 when no command is given", async () => {
    const ok = await shipline(["run", ...where(), "--", "node", "-e", "console.log('fine')"]).done;
    expect(ok.code, noError(ok)).toBe(0);
    expect(ok.output.split("\n")).toContain("fine");
    const none = await shipline(["run", ...where()]).done;
    expect(none.code, noError(none)).toBe(4);
    expect(none.output).toMatch(/input "command" is required/);
  }, 120_000);
});

describe("shipline run, stopped", () => {
  it("Ctrl-C stops the task and exits 130", async () => {
    const run = runShipline({
      args: ["run", ...where(), "--", "node", "-e", "setInterval(() => console.log('tick'), 200)"],
      env: envOf(++runs),
      spawned: true,
      onLine: (line, self) => {
        if (line === "tick") self.kill("SIGINT");
      },
    });
    const end = await run.done;
    expect(end.code, noError(end)).toBe(130);
    const taskArn = /^task (\S+) runs/m.exec(end.output)?.[1] ?? "";
    expect(end.output).toMatch(/SIGINT: stopped task/);
    await waitFor("the task stopped", async () => {
      const task = (
        await stack.clients.ecs.send(
          new DescribeTasksCommand({ cluster: stack.cluster, tasks: [taskArn] }),
        )
      ).tasks?.[0];
      return task?.lastStatus === "STOPPED" ? true : undefined;
    });
  }, 120_000);
});

describe("shipline logs", () => {
  it("prints the lines of the service's tasks since 10m, labelled by task and container", async () => {
    const task = (await runningTasks())[0]?.split("/").pop() ?? "";
    const end = await withinPolicy(["logs", ...where(), "--since", "10m"]);
    expect(end.code, noError(end)).toBe(0);
    // The running task said it listens, under its own id and container name.
    expect(end.output).toContain(`${task.slice(0, 12)} api | `);
    expect(end.output).toMatch(new RegExp(`${task.slice(0, 12)} api \\| .*Server listening`));
  });

  it("--follow prints a line written after it started, then stops cleanly on SIGINT", async () => {
    const marker = `follow-${Date.now()}`;
    const run = shipline(["logs", ...where(), "--since", "1m", "--follow"], { spawned: true });
    // The first read is done once the running task's lines are out.
    await waitFor("the first lines", async () =>
      /api \| .*Server listening/.test(run.output()) ? true : undefined,
    );
    // A new line in the service's streams: a task of the live revision that prints it.
    await stack.clients.ecs.send(
      new RunTaskCommand({
        cluster: stack.cluster,
        taskDefinition: live,
        launchType: "FARGATE",
        networkConfiguration: (await stack.describe()).networkConfiguration,
        overrides: {
          containerOverrides: [
            { name: "api", command: ["node", "-e", `console.log("${marker}")`] },
          ],
        },
      }),
    );
    await waitFor(
      "the new line",
      async () => (run.output().includes(`api | ${marker}`) ? true : undefined),
      60_000,
    );
    const stoppedAt = Date.now();
    run.kill("SIGINT");
    const end = await run.done;
    expect(end.code, noError(end)).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(end.output).not.toMatch(/^error:/m);
    expect(end.output.match(new RegExp(marker, "g"))).toHaveLength(1);
  }, 120_000);
});

describe("a redeploy whose new tasks fail their gate", () => {
  it("exits 1 with the diagnosis; the service stays on the same revision and the event says failed", async () => {
    // Something outside the revision changed (here the load balancer's health check matcher):
    // the new tasks can never be healthy.
    const matcher = (code: string) =>
      stack.clients.elb.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: stack.targetGroupArn,
          Matcher: { HttpCode: code },
        }),
      );
    await matcher("418");
    try {
      const end = await withinPolicy(["redeploy", ...gated()]);
      expect(end.code, noError(end)).toBe(1);
      expect(end.output).toMatch(/^error: diagnosis: target .* is unhealthy/m);
      expect(end.output).toMatch(/hint: Task failed ELB health checks/);
      expect(end.output).toMatch(/the redeployment of .*web:1 failed its gate/);
      expect((await stack.describe()).taskDefinition).toBe(live);
      const last = (await ledger().read("r-1"))?.events?.at(-1);
      expect(last).toMatchObject({ kind: "redeploy", status: "failed" });
      expect(last?.detail).toMatch(/failed its gate/);
      expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
    } finally {
      await matcher("200");
    }
    await waitSteadyOn(stack, live, "the service healthy again");
  }, 180_000);
});
