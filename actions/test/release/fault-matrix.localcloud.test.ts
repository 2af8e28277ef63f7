import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sampleContainer } from "../../scripts/sample-images";
import { lockKey } from "../../src/ledger/keys";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { inspectLock, readLock } from "../../src/release/lock";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, tempDir, type WebCloud } from "../web/cloud";
import { createEdge } from "./edge";
import { runShipline, type ShiplineRun } from "./shipline-run";
import { baseImageOf, writeApi } from "./stand-in";

/**
 * The fault matrix: a deploy and a rollback interrupted at each step boundary, on localcloud
 * with real tasks, by a kill -9 of the CLI, a SIGINT, or five consecutive failures (5xx, or
 * throttles for the gate's reads) on every AWS operation the step uses — the operations taken
 * from localcloud's request log of a clean deploy and rollback, not guessed. After each case:
 * (1) the API and the SPA serve one release, through the edge (the API's build against the
 * page's release marker); (2) `shipline status` exits 0 and the ledger's live record is what is
 * served; (3) the next deploy and a rollback both succeed, each leaving (1) and (2) true.
 *
 * After a SIGINT or a fault the next command runs at once: the run released its lock (the lock
 * TTL is never waited for). After a kill -9 the dead run's lock is waited out by S3's clock once
 * (the first case: the shortest lock-ttl, 1m) and removed with `shipline unlock --force` in the
 * other cases, as an operator who knows the CI job is dead does.
 *
 * A kill -9 between the service's rollout and the entry points leaves a rollout nobody gates
 * while the site serves the live release. The release guard covers it: the run's heartbeat
 * stops, its CloudWatch alarm goes to ALARM and ECS fails the deployment and rolls the service
 * back to the live release on its own. There (1) is waited for as ECS rolls back (bounded), then
 * (2) and (3) hold as in every other case.
 *
 * Covered (28 cases):
 *   deploy   images        kill -9 · SIGINT · 5xx on each ECR/registry operation
 *            service       5xx on each operation before the rollout (DescribeServices, …,
 *                          RegisterTaskDefinition, UpdateService)
 *            rollout       kill -9 right after UpdateService answered
 *            gate          kill -9 · SIGINT · throttles on each read of the gate
 *            web           kill -9 · SIGINT · 5xx on each S3 operation before the entry points
 *            entry points  kill -9 · SIGINT just after index.html is in the bucket · 5xx on each
 *                          operation after it (snapshots, manifest, CreateInvalidation)
 *            invalidation  kill -9 · 5xx on each operation of the wait and the prune
 *            record        kill -9 · 5xx on each S3 operation of the final records and the lock
 *   rollback service       5xx on each operation before the rollout · kill -9 after UpdateService
 *            gate          SIGINT · throttles on each read of the gate
 *            web           kill -9 · SIGINT · 5xx on each S3 operation of the restore
 *            invalidation  5xx on each operation after the invalidation was created
 *            record        kill -9 · 5xx on each S3 operation of the final records and the lock
 * Not covered: the migration (the stand-in API has no migration; a RunTask per deploy would
 * double each case's time; service/deploy.localcloud.test.ts covers a failing migration).
 */
let stack: ServiceStack;
let cloud: WebCloud;
let edge = "";
let tmp = "";
let apiFolder = "";
let configFile = "";
const BUCKET = "fault-matrix-site";
const LEDGER = ".shipline/";
const SHA = "feedfacecafe0123456789feedfacecafe012345";
const LOCK_TTL_MS = 60_000;

type Command = "deploy" | "rollback";
type Kind = "kill" | "sigint" | "faults";

interface Call {
  seq: number;
  service: string;
  operation: string;
  path: string;
  status: number;
  fault?: string;
}

/** A moment of a run: a line it writes, or a call localcloud has answered. */
type Moment = { line: RegExp } | { call: (call: Call) => boolean };

interface Boundary {
  command: Command;
  step: string;
  at: Moment;
}

const entryPointWritten = (call: Call) =>
  (call.operation === "PutObject" || call.operation === "CopyObject") &&
  call.path === `/${BUCKET}/index.html` &&
  call.status === 200;
const serviceUpdated = (call: Call) => call.operation === "UpdateService" && call.status === 200;

/** Each command's boundaries in the order a run reaches them. */
const BOUNDARIES: Boundary[] = [
  { command: "deploy", step: "images", at: { line: /▶ images/ } },
  { command: "deploy", step: "service", at: { line: /▶ service/ } },
  { command: "deploy", step: "rollout", at: { call: serviceUpdated } },
  { command: "deploy", step: "gate", at: { line: /gate: waiting/ } },
  { command: "deploy", step: "web", at: { line: /▶ web/ } },
  { command: "deploy", step: "entry points", at: { call: entryPointWritten } },
  { command: "deploy", step: "invalidation", at: { line: /^invalidation \S+ on / } },
  { command: "deploy", step: "record", at: { line: /✔ web/ } },
  { command: "rollback", step: "service", at: { line: /▶ service/ } },
  { command: "rollback", step: "rollout", at: { call: serviceUpdated } },
  { command: "rollback", step: "gate", at: { line: /gate: waiting/ } },
  { command: "rollback", step: "web", at: { line: /▶ web/ } },
  { command: "rollback", step: "invalidation", at: { line: /^invalidation \S+ on / } },
  { command: "rollback", step: "record", at: { line: /✔ web/ } },
];

interface Case {
  command: Command;
  step: string;
  kind: Kind;
}

const CASES: Case[] = (
  [
    ["deploy", "images", ["kill", "sigint", "faults"]],
    ["deploy", "service", ["faults"]],
    ["deploy", "rollout", ["kill"]],
    ["deploy", "gate", ["kill", "sigint", "faults"]],
    ["deploy", "web", ["kill", "sigint", "faults"]],
    ["deploy", "entry points", ["kill", "sigint", "faults"]],
    ["deploy", "invalidation", ["kill", "faults"]],
    ["deploy", "record", ["kill", "faults"]],
    ["rollback", "service", ["faults"]],
    ["rollback", "rollout", ["kill"]],
    ["rollback", "gate", ["sigint", "faults"]],
    ["rollback", "web", ["kill", "sigint", "faults"]],
    ["rollback", "invalidation", ["faults"]],
    ["rollback", "record", ["kill", "faults"]],
  ] as [Command, string, Kind[]][]
).flatMap(([command, step, kinds]) => kinds.map((kind) => ({ command, step, kind })));

/** The reads of a gate are what a burst of throttling hits; elsewhere, 5xx answers. */
const faultKindOf = (step: string) => (step === "gate" ? "throttle" : "error");

/** The operations each step used in a clean run ("service:operation"), by command and step. */
const operations = new Map<string, string[]>();
const consistent = new Set<string>();
let run = 0;

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" }, { desiredCount: 1 });
  await waitSteadyOn(stack, first);
  cloud = stack.cloud as unknown as WebCloud;
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const distribution = await createEdge(stack, BUCKET);
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
  tmp = await tempDir("fault-matrix");
  apiFolder = await writeApi(join(tmp, "api"), "0");
  configFile = join(tmp, "shipline.yml");
  await writeFile(
    configFile,
    stringify({
      version: 1,
      region: stack.cloud.region,
      environments: {
        production: {
          cluster: stack.cluster,
          service: stack.service,
          containers: {
            api: await sampleContainer("api", {
              repository: "shipline/api",
              context: apiFolder,
              "base-image": await baseImageOf(stack),
            }),
          },
          bucket: BUCKET,
          distributions: [distribution],
          // The shortest interval a release accepts, one healthy poll: each rollout takes seconds.
          gate: { timeout: "60s", interval: "1s", "healthy-polls": 1, "grace-period": "1s" },
          "lock-ttl": `${LOCK_TTL_MS / 1000}s`,
        },
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  cloud?.faults.clear();
  await stack?.dispose();
});

const s3 = () =>
  new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });
const ledger = () => new Ledger(s3(), BUCKET, LEDGER, "production");
const idOf = (n: number) => `${SHA.slice(0, 12)}-${n}.1`;
const calls = (sinceSeq: number) =>
  (stack.cloud.requestLog.list({ sinceSeq }) as unknown as Call[]).filter(
    (call) => call.service !== "edge",
  );

/**
 * Calls `onCall` for each call localcloud answers, as it logs it: before the caller has the
 * answer, so what the test does there (a fault, a kill) comes before the run's next call.
 */
function tapRequestLog(onCall: (call: Call) => void): () => void {
  const log = stack.cloud.requestLog as unknown as { record(entry: object): Call };
  const record = log.record;
  log.record = (entry) => {
    const logged = record.call(log, entry);
    onCall(logged);
    return logged;
  };
  return () => {
    log.record = record;
  };
}

function envOf(n: number): Record<string, string> {
  return {
    ...stack.cloud.env(),
    AWS_REGION: stack.cloud.region,
    SHIPLINE_CONFIG: configFile,
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: String(n),
    GITHUB_ACTOR: "tester",
  };
}

/** The arguments of the next run of `command`; a deploy's API answers its build, n. */
async function argsOf(command: Command, n: number): Promise<string[]> {
  if (command === "rollback") return ["rollback", "--wait-invalidation", "true"];
  await writeApi(apiFolder, String(n));
  const site = await buildSite(join(tmp, `web-${n}`), { releaseId: idOf(n) });
  return ["deploy", "--source", site.dir, "--wait-invalidation", "true"];
}

/**
 * Starts run `n` of `command`, calling `onReach` once for each boundary of that command as the
 * run reaches it (in this process for `spawned: false`, from its own otherwise).
 */
async function start(
  command: Command,
  n: number,
  spawned: boolean,
  onReach: (boundary: Boundary, seq: number, run: ShiplineRun) => void = () => {},
): Promise<ShiplineRun> {
  const args = await argsOf(command, n);
  const pending = BOUNDARIES.filter((boundary) => boundary.command === command);
  let current: ShiplineRun | undefined;
  const reach = (boundary: Boundary, seq: number) => {
    pending.splice(pending.indexOf(boundary), 1);
    if (current) onReach(boundary, seq, current);
  };
  const untap = tapRequestLog((call) => {
    for (const boundary of [...pending]) {
      if ("call" in boundary.at && boundary.at.call(call)) reach(boundary, call.seq);
    }
  });
  current = runShipline({
    args,
    env: envOf(n),
    spawned,
    onLine: (line) => {
      for (const boundary of [...pending]) {
        if ("line" in boundary.at && boundary.at.line.test(line)) {
          reach(boundary, stack.cloud.requestLog.lastSeq);
        }
      }
    },
  });
  void current.done.finally(untap);
  return current;
}

/** A run that must succeed, in this process. */
async function succeed(command: Command): Promise<string> {
  run += 1;
  const clean = await start(command, run, false);
  const end = await clean.done;
  expect(end.code, end.output).toBe(0);
  return idOf(run);
}

const page = async () => (await fetch(`${edge}/`)).text();
const apiBuild = async () => {
  const response = await fetch(`${edge}/api/version`);
  return response.ok ? ((await response.json()) as { build: string }).build : undefined;
};
const primaryTaskDefinition = async () =>
  (await stack.describe()).deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition;

/** Both halves serve one release through the edge, three API answers in a row; its run. */
async function servedRelease(): Promise<number> {
  return waitFor(
    "the API and the SPA to serve one release",
    async () => {
      const served = /feedfacecafe-(\d+)\.1/.exec(await page())?.[1];
      for (let answer = 0; answer < 3; answer++) {
        if (!served || (await apiBuild()) !== served) return undefined;
      }
      return Number(served);
    },
    90_000,
  );
}

/** `shipline <args>` in this process, e.g. status or unlock. */
async function cli(...args: string[]) {
  run += 1;
  return runShipline({ args, env: envOf(run), spawned: false }).done;
}

/** (1) and (2): one release at the edge, status exit 0, the ledger's live record is what serves. */
async function expectConsistent(): Promise<number> {
  const served = await servedRelease();
  const status = await cli("status");
  expect(status.code, status.output).toBe(0);
  expect(status.output).toContain("consistent=true");
  const live = await ledger().live();
  const record = live ? await ledger().read(live.value.releaseId) : undefined;
  expect(record?.web?.releaseId, status.output).toBe(idOf(served));
  expect(record?.taskDefinitionArn, status.output).toBe(await primaryTaskDefinition());
  return served;
}

/** (3): the next deploy and a rollback succeed, each leaving one release served and recorded. */
async function expectDeployAndRollback(): Promise<void> {
  const before = await servedRelease();
  const deployed = await succeed("deploy");
  expect(idOf(await expectConsistent())).toBe(deployed);
  await succeed("rollback");
  expect(await expectConsistent()).toBe(before);
}

/** The dead run's lock: waited out by S3's clock, or removed as an operator would. */
async function clearDeadLock(wait: boolean): Promise<void> {
  if (wait) {
    await waitFor(
      "the dead run's lock to expire by S3's clock",
      async () => {
        const state = await inspectLock(s3(), BUCKET, lockKey(LEDGER, "production"), systemClock);
        return !state || state.expired ? true : undefined;
      },
      LOCK_TTL_MS + 10_000,
    );
    return;
  }
  if (!(await readLock(s3(), BUCKET, LEDGER, "production"))) return;
  const unlocked = await cli("unlock", "--force");
  expect(unlocked.code, unlocked.output).toBe(0);
}

/**
 * The distinct operations of the calls in (from, to]. Registry calls outside the images step
 * are ECS pulling the tasks' images, not shipline: a fault there fails the tasks, not a call.
 */
function operationsBetween(from: number, to: number, images: boolean): string[] {
  return [
    ...new Set(
      calls(from)
        .filter((call) => call.seq <= to && !call.fault && (images || call.service !== "registry"))
        .map((call) => `${call.service}:${call.operation}`),
    ),
  ];
}

/** A clean run of `command`, noting which operations each of its steps used. */
async function learnOperations(command: Command): Promise<void> {
  run += 1;
  const marks: { step: string; seq: number }[] = [];
  const clean = await start(command, run, false, (boundary, seq) =>
    marks.push({ step: boundary.step, seq }),
  );
  const end = await clean.done;
  expect(end.code, end.output).toBe(0);
  const last = stack.cloud.requestLog.lastSeq;
  const steps = BOUNDARIES.filter((boundary) => boundary.command === command);
  expect(
    marks.map((mark) => mark.step),
    end.output,
  ).toEqual(steps.map((step) => step.step));
  marks.forEach((mark, index) => {
    operations.set(
      `${command} ${mark.step}`,
      operationsBetween(mark.seq, marks[index + 1]?.seq ?? last, mark.step === "images"),
    );
  });
}

const nameOf = (c: Case) => `${c.command} ${c.step} × ${c.kind}`;

describe("the fault matrix", () => {
  it("a clean deploy and rollback: the operations of each step, from the request log", async () => {
    await succeed("deploy");
    await learnOperations("deploy");
    await learnOperations("rollback");
    for (const [step, used] of operations) console.log(`${step}: ${used.join(" ")}`);
    await expectConsistent();
  }, 300_000);

  it.each(CASES.map((c) => [nameOf(c), c] as const))(
    "%s",
    async (name, c) => {
      // A case that failed may have left its lock: the next one starts from a free environment.
      if (await readLock(s3(), BUCKET, LEDGER, "production")) await cli("unlock", "--force");
      const ops = operations.get(`${c.command} ${c.step}`) ?? [];
      if (c.kind === "faults") expect(ops, name).not.toEqual([]);
      const since = stack.cloud.requestLog.lastSeq;
      run += 1;
      let reached = false;
      const victim = await start(c.command, run, c.kind !== "faults", (boundary, _seq, current) => {
        if (boundary.step !== c.step || reached) return;
        reached = true;
        if (c.kind === "kill") current.kill("SIGKILL");
        else if (c.kind === "sigint") current.kill("SIGINT");
        else {
          for (const op of ops) {
            const [service = "", operation] = op.split(":");
            cloud.faults.add({ service, operation, kind: faultKindOf(c.step), count: 5 });
          }
        }
      });
      const end = await victim.done;
      cloud.faults.clear();
      console.log(`${name}: ${end.signal ?? `exit ${end.code}`}`);
      expect(reached, `${name} never reached its boundary:\n${end.output}`).toBe(true);
      const during = calls(since);
      if (c.kind === "kill") {
        expect(end.signal, end.output).toBe("SIGKILL");
        // The first kill waits the lock out; the others remove it as an operator would.
        await clearDeadLock(name === nameOf(CASES[0] as Case));
      } else {
        // A cancelled or failed run exits with its meaning (never 2: nothing is left for a human,
        // never 70: a burst of errors is not a bug) and leaves the lock free at once.
        const meanings = c.kind === "sigint" ? [0, 130] : [0, 1, 3];
        expect(meanings, end.output).toContain(end.code);
        if (c.kind === "faults") expect(during.some((call) => call.fault)).toBe(true);
        expect(await readLock(s3(), BUCKET, LEDGER, "production"), end.output).toBeUndefined();
      }
      const guardedByEcs =
        c.kind === "kill" && during.some(serviceUpdated) && !during.some(entryPointWritten);
      if (guardedByEcs) {
        const rolledBack = await waitFor(
          "ECS to roll the killed run's deployment back on the heartbeat alarm",
          async () => {
            const service = await stack.describe();
            const primary = service.deployments?.find((d) => d.status === "PRIMARY");
            return primary && /Rolling back/.test(primary.rolloutStateReason ?? "")
              ? primary
              : undefined;
          },
          60_000,
        );
        console.log(`${name}: ${rolledBack.rolloutStateReason}`);
      }
      await expectConsistent();
      await expectDeployAndRollback();
      consistent.add(name);
    },
    300_000,
  );

  it("prints and asserts the count", () => {
    console.log(`${consistent.size} of ${CASES.length} cases consistent`);
    expect(
      CASES.map(nameOf).filter((name) => !consistent.has(name)),
      "inconsistent cases",
    ).toEqual([]);
  });
});
