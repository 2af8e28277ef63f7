import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CloudFrontClient,
  DeleteFunctionCommand,
  DescribeFunctionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  UpdateDistributionCommand,
  UpdateFunctionCommand,
} from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sampleContainer } from "../../scripts/sample-images";
import { lockKey } from "../../src/ledger/keys";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { inspectLock, readLock } from "../../src/release/lock";
import { deletePointer } from "../../src/web/live-store";
import { LIVE_KEY } from "../../src/web/release-router";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { createKeyValueStore, keyValueStoreOf } from "../web/atomic-helpers";
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
 * TTL is never waited for). After a kill -9 the dead run's lock expires by S3's clock once (the
 * first case: the shortest lock-ttl, 1m, S3's clock moved that far forward rather than waited
 * for) and is removed with `shipline unlock --force` in the other cases, as an operator who knows
 * the CI job is dead does.
 *
 * A kill -9 between the service's rollout and the entry points leaves a rollout nobody gates
 * while the site serves the live release. The release guard covers it: the run's heartbeat
 * stops, its CloudWatch alarm goes to ALARM and ECS fails the deployment and rolls the service
 * back to the live release on its own. There (1) is waited for as ECS rolls back (bounded), then
 * (2) and (3) hold as in every other case.
 *
 * The site has two entry points (index.html and about/index.html), each naming its release, and
 * (1) reads every one of them through the edge.
 *
 * Covered (31 cases):
 *   deploy   images        kill -9 · SIGINT · 5xx on each ECR/registry operation
 *            service       5xx on each operation before the rollout (DescribeServices, …,
 *                          RegisterTaskDefinition, UpdateService)
 *            migration     kill -9 · SIGINT · 5xx on each operation from RunTask to UpdateService
 *                          (a deploy with a migration; the task it started runs to its end)
 *            rollout       kill -9 right after UpdateService answered
 *            gate          kill -9 · SIGINT · throttles on each read of the gate
 *            web           kill -9 · SIGINT · 5xx on each S3 operation before the entry points
 *            entry points  kill -9 · SIGINT just after the last entry point is in the bucket ·
 *                          5xx on each operation after it (snapshots, manifest, CreateInvalidation)
 *            invalidation  kill -9 · 5xx on each operation of the wait and the prune
 *            record        kill -9 · 5xx on each S3 operation of the final records and the lock
 *   rollback service       5xx on each operation before the rollout · kill -9 after UpdateService
 *            gate          SIGINT · throttles on each read of the gate
 *            web           kill -9 · SIGINT · 5xx on each S3 operation of the restore
 *            invalidation  5xx on each operation after the invalidation was created
 *            record        kill -9 · 5xx on each S3 operation of the final records and the lock
 * Only the clean run that learns the operations and the migration's cases run the migration: a
 * RunTask in every deploy would add seconds to each case.
 *
 * Not one of the cases, because no command can make it consistent in invalidate mode: a run
 * killed between two entry-point writes leaves the site mixed (a deploy's API on the new release,
 * a rollback's returned by ECS to the release rolled back from). The rollback's has its own test:
 * `status` names it and the next rollback repairs it (the README's commit point; the atomic web
 * mode has no such window).
 *
 * Parts four and five (ATOMIC_CASES, in ATOMIC_PARTS) publish the site in web-mode atomic (a
 * key value store's pointer, the release router on the distribution) and interrupt the steps
 * that mode adds: the uploads under releases/<id>/, the router sync (in part four each deploy
 * finds the router's code drifted, so it updates, publishes and waits for it; a site's first
 * atomic deploy, from a site published in web-mode invalidate, creates, publishes and associates
 * it), just before the PutKey and just after it, and a rollback's PutKey. There (3) is the next command, the case's own (a deploy after a deploy's
 * case, a rollback after a rollback's), each ECS rollout being most of a case's time. Two cases
 * are the release guard's documented one-call windows, checked as such (status names the mix,
 * the next command repairs it): a deploy killed between its guard's disarm and its PutKey, and a
 * rollback killed between its PutKey's answer and its guard's disarm (see ATOMIC_CASES).
 */
let stack: ServiceStack;
let cloud: WebCloud;
let edge = "";
let tmp = "";
let apiFolder = "";
let configFile = "";
/** The same environment in web-mode invalidate (the atomic part's first-deploy cases start so). */
let invalidateConfigFile = "";
let distributionId = "";
let storeArn = "";
const BUCKET = "fault-matrix-site";
const LEDGER = ".shipline/";
const SHA = "feedfacecafe0123456789feedfacecafe012345";
const LOCK_TTL_MS = 60_000;
/** A migration the stand-in API's image runs: node, half a second, exit 0. */
const MIGRATION = JSON.stringify(["node", "-e", "setTimeout(() => {}, 500)"]);
/** The site's entry points, each naming its release: a rollback puts back every one. */
const ENTRY_PAGES = ["/", "/about/index.html"];
const ENTRY_KEYS = ["index.html", "about/index.html"];
/** web-mode atomic: the store whose pointer names the live release, and the router it feeds. */
const STORE = "fault-matrix-live";
const ROUTER = `shipline-${BUCKET}`;
/** Whether this file's part publishes the site in web-mode atomic (set by describeFaultMatrix). */
let atomic = false;
/** Whether each atomic deploy finds the router's code drifted (set by describeFaultMatrix). */
let drifting = false;

export type Command = "deploy" | "rollback";
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
/** A call moment sees the run's earlier calls too. */
type Moment = { line: RegExp } | { call: (call: Call, earlier: readonly Call[]) => boolean };

interface Boundary {
  command: Command;
  step: string;
  at: Moment;
  /** Reached only by a site's first atomic deploy (no router yet), not by the clean runs. */
  firstAtomic?: true;
}

const entryPointWrite = (call: Call) =>
  (call.operation === "PutObject" || call.operation === "CopyObject") &&
  ENTRY_KEYS.some((key) => call.path === `/${BUCKET}/${key}`) &&
  call.status === 200;
/**
 * The last of the entry points in the bucket: the commit point's writes done. (A kill between
 * two of them leaves the site mixed, invalidate mode's limit, the README's commit point.)
 */
const entryPointsWritten = (call: Call, earlier: readonly Call[]) =>
  entryPointWrite(call) &&
  ENTRY_KEYS.every((key) =>
    [...earlier, call].some((c) => entryPointWrite(c) && c.path === `/${BUCKET}/${key}`),
  );
/** One of a rollback's entry points put back from its snapshot. */
const entryPointBack = (call: Call) =>
  call.operation === "CopyObject" &&
  ENTRY_KEYS.some((key) => call.path === `/${BUCKET}/${key}`) &&
  call.status === 200;
const serviceUpdated = (call: Call) => call.operation === "UpdateService" && call.status === 200;

/** A call answered with success (CreateFunction's is 201 Created). */
const answered = (service: string, operations: string[]) => (call: Call) =>
  call.service === service &&
  operations.includes(call.operation) &&
  call.status >= 200 &&
  call.status < 300;

/** Each command's boundaries in the order a run reaches them (web-mode invalidate). */
const INVALIDATE_BOUNDARIES: Boundary[] = [
  { command: "deploy", step: "images", at: { line: /▶ images/ } },
  { command: "deploy", step: "service", at: { line: /▶ service/ } },
  { command: "deploy", step: "migration", at: { line: /migration: running/ } },
  { command: "deploy", step: "rollout", at: { call: serviceUpdated } },
  { command: "deploy", step: "gate", at: { line: /gate: waiting/ } },
  { command: "deploy", step: "web", at: { line: /▶ web/ } },
  { command: "deploy", step: "entry points", at: { call: entryPointsWritten } },
  { command: "deploy", step: "invalidation", at: { line: /^invalidation \S+ on / } },
  { command: "deploy", step: "record", at: { line: /✔ web/ } },
  { command: "rollback", step: "service", at: { line: /▶ service/ } },
  { command: "rollback", step: "rollout", at: { call: serviceUpdated } },
  { command: "rollback", step: "gate", at: { line: /gate: waiting/ } },
  { command: "rollback", step: "web", at: { line: /▶ web/ } },
  { command: "rollback", step: "invalidation", at: { line: /^invalidation \S+ on / } },
  { command: "rollback", step: "record", at: { line: /✔ web/ } },
];

/**
 * web-mode atomic's boundaries. Every deploy of the router's part finds the router function's
 * code drifted (an older shipline's, see driftRouter), so it passes the router sync each time:
 * UpdateFunction, PublishFunction, the wait for the distribution, then the PutKey. The other
 * atomic part leaves the router as the last deploy made it (no sync: no router boundaries), as
 * the wait for the distribution to deploy is seconds of every deploy.
 */
const ATOMIC_BOUNDARIES: Boundary[] = [
  ...INVALIDATE_BOUNDARIES.filter(
    (b) => b.command === "deploy" && !["entry points", "invalidation", "record"].includes(b.step),
  ),
  {
    command: "deploy",
    step: "router",
    at: { call: answered("cloudfront", ["CreateFunction", "UpdateFunction"]) },
  },
  {
    command: "deploy",
    step: "published",
    at: { call: answered("cloudfront", ["PublishFunction"]) },
  },
  // A site's first atomic deploy only: the distribution now runs the router (the store has no
  // pointer yet, so the router leaves every request as it came); the wait for it follows.
  {
    command: "deploy",
    step: "associated",
    at: { call: answered("cloudfront", ["UpdateDistribution"]) },
    firstAtomic: true,
  },
  // The guard disarmed, the PutKey not yet sent: the one call before the commit point.
  {
    command: "deploy",
    step: "disarmed",
    at: {
      call: (call, earlier) =>
        answered("monitoring", ["PutMetricAlarm"])(call) &&
        earlier.some(
          (c) => c.operation === "PutObject" && c.path.startsWith(`/${BUCKET}/releases/`),
        ),
    },
  },
  {
    command: "deploy",
    step: "commit",
    at: { call: answered("cloudfront-keyvaluestore", ["PutKey"]) },
  },
  { command: "deploy", step: "record", at: { line: /✔ web/ } },
  ...INVALIDATE_BOUNDARIES.filter(
    (b) => b.command === "rollback" && !["invalidation", "record"].includes(b.step),
  ),
  {
    command: "rollback",
    step: "pointer",
    // The read right before the PutKey: the rollback reads the pointer once before its service.
    at: {
      call: (call, earlier) =>
        answered("cloudfront-keyvaluestore", ["GetKey"])(call) && earlier.some(serviceUpdated),
    },
  },
  {
    command: "rollback",
    step: "commit",
    at: { call: answered("cloudfront-keyvaluestore", ["PutKey"]) },
  },
  { command: "rollback", step: "record", at: { line: /✔ web/ } },
];
/** The router sync's own boundaries, reached only when the router's code is drifted. */
const ROUTER_STEPS = ["router", "published"];
const boundaries = () =>
  atomic
    ? ATOMIC_BOUNDARIES.filter((b) => drifting || !ROUTER_STEPS.includes(b.step))
    : INVALIDATE_BOUNDARIES;

export interface Case {
  command: Command;
  step: string;
  kind: Kind;
  /** Faults on these operations ("service:operation") rather than those the step used. */
  ops?: string[];
  /** Faults added at this boundary of the command rather than at `step`. */
  at?: string;
  /**
   * A window no command can close, documented by the release guard: (1) does not hold after it,
   * so the case checks that `status` names it and that the next command repairs it instead.
   */
  limit?: true;
  /**
   * The run stops before its commit point: production must still serve the release it served
   * before the case (not merely one release), and a SIGINT must exit 130.
   */
  keeps?: true;
  /**
   * The site's first atomic deploy: before the case, production is published in web-mode
   * invalidate, the router function does not exist and the store holds no pointer (see
   * backToInvalidate), so the run creates, publishes and associates the router.
   */
  first?: true;
}

export const CASES: Case[] = (
  [
    ["deploy", "images", ["kill", "sigint", "faults"]],
    ["deploy", "service", ["faults"]],
    ["deploy", "migration", ["kill", "sigint", "faults"]],
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

const PUT_KEY = "cloudfront-keyvaluestore:PutKey";

/**
 * The atomic parts: the steps web-mode atomic adds, interrupted. A site's first atomic deploy
 * killed once CreateFunction answered, killed or cancelled once UpdateDistribution associated the
 * router, or UpdateDistribution failing. A deploy's uploads under releases/<id>/; its router sync
 * (killed or cancelled after UpdateFunction answered, 5xx on PublishFunction then on the wait's
 * GetDistribution); killed or cancelled after PublishFunction answered (the router in place, the
 * pointer not yet moved: just before the commit point); the listing that resends vanished assets
 * right before the switch failing; the PutKey failing 5 times, or answered and the run killed
 * before it heard (just after the commit point). A rollback killed after it read the pointer
 * (just before its PutKey), its PutKey failing, or answered and the run killed.
 */
export const ATOMIC_CASES: Case[] = [
  // The site's first atomic deploy (first: true): killed once CreateFunction answered (the
  // function exists, never published, on no distribution); interrupted once the distribution
  // runs the new router, whose store has no pointer yet: killed, or SIGINT during the wait for
  // the distribution to deploy; and UpdateDistribution failing 5 times. Production keeps serving
  // the release published in invalidate mode.
  { command: "deploy", step: "created", kind: "kill", at: "router", first: true, keeps: true },
  { command: "deploy", step: "associated", kind: "kill", first: true, keeps: true },
  { command: "deploy", step: "associated", kind: "sigint", first: true, keeps: true },
  {
    command: "deploy",
    step: "associated",
    kind: "faults",
    at: "published",
    ops: ["cloudfront:UpdateDistribution"],
    first: true,
    keeps: true,
  },
  { command: "deploy", step: "web", kind: "kill" },
  { command: "deploy", step: "web", kind: "sigint" },
  { command: "deploy", step: "web", kind: "faults" },
  { command: "deploy", step: "router", kind: "kill", keeps: true },
  // SIGINT once UpdateFunction answered (the publish and the wait for the distribution to come).
  { command: "deploy", step: "router", kind: "sigint", keeps: true },
  { command: "deploy", step: "router", kind: "faults" },
  {
    command: "deploy",
    step: "router wait",
    kind: "faults",
    at: "router",
    ops: ["cloudfront:GetDistribution"],
  },
  { command: "deploy", step: "published", kind: "kill", keeps: true },
  { command: "deploy", step: "published", kind: "sigint", keeps: true },
  // The listing right before the switch (resend-vanished.ts: the folders of the files this
  // publish found in the bucket and did not send) failing 5 times.
  {
    command: "deploy",
    step: "resend listing",
    kind: "faults",
    at: "published",
    ops: ["s3:ListObjectsV2"],
    keeps: true,
  },
  // Killed between the guard's disarm and the PutKey (one call): the API stays on the new release
  // under the live site, the deploy's documented window (release/guard.ts), as the invalidate
  // mode's kill while the entry points are written.
  { command: "deploy", step: "disarmed", kind: "kill", limit: true },
  { command: "deploy", step: "commit", kind: "faults", at: "disarmed", ops: [PUT_KEY] },
  { command: "deploy", step: "commit", kind: "kill" },
  { command: "rollback", step: "web", kind: "sigint" },
  { command: "rollback", step: "pointer", kind: "kill" },
  { command: "rollback", step: "commit", kind: "faults", at: "pointer", ops: [PUT_KEY] },
  // The rollback's commit point is its PutKey answered; its guard is disarmed once the answer
  // is in (disarming before would leave the API on the older release under the newer site if
  // the PutKey never came). A kill in that one call's window has ECS return the API to the
  // release rolled back from under the rolled-back site: release/guard.ts's documented limit.
  { command: "rollback", step: "commit", kind: "kill", limit: true },
];

/**
 * The atomic cases in two parts of about ten, one test file each (the parts' own test checks
 * that together they are every atomic case, once): the router's steps, a site's first atomic
 * deploy among them, then the uploads, the commit point and a rollback.
 */
export const ATOMIC_PARTS = {
  router: ATOMIC_CASES.filter(
    (c) =>
      c.command === "deploy" &&
      ["created", "associated", "router", "router wait", "published", "resend listing"].includes(
        c.step,
      ),
  ),
  commit: ATOMIC_CASES.filter(
    (c) => c.command === "rollback" || ["web", "disarmed", "commit"].includes(c.step),
  ),
};

/** The reads of a gate are what a burst of throttling hits; elsewhere, 5xx answers. */
const faultKindOf = (step: string) => (step === "gate" ? "throttle" : "error");

/** The operations each step used in a clean run ("service:operation"), by command and step. */
const operations = new Map<string, string[]>();
const consistent = new Set<string>();
let run = 0;

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

/**
 * Whether deploys run the migration now. A RunTask adds seconds to each deploy, so only the
 * clean run that learns the operations and the migration's own cases (the interrupted deploy and
 * the next one) run it.
 */
let migrating = false;

/** The arguments of the next run of `command`; a deploy's API answers its build, n. */
async function argsOf(command: Command, n: number): Promise<string[]> {
  if (command === "rollback") {
    return atomic ? ["rollback"] : ["rollback", "--wait-invalidation", "true"];
  }
  await writeApi(apiFolder, String(n));
  const site = await buildSite(join(tmp, `web-${n}`), { releaseId: idOf(n) });
  // A second entry point (unhashed HTML, no-cache, put back by a rollback like index.html).
  await mkdir(join(site.dir, "about"), { recursive: true });
  await writeFile(
    join(site.dir, "about/index.html"),
    `<!doctype html><title>about</title><p>release ${idOf(n)}</p>\n`,
  );
  const migration = migrating ? ["--migration-command", MIGRATION] : [];
  if (atomic) return ["deploy", "--source", site.dir];
  return ["deploy", "--source", site.dir, "--wait-invalidation", "true", ...migration];
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
  if (atomic && drifting && command === "deploy") await driftRouter();
  const pending = boundaries().filter((boundary) => boundary.command === command);
  let current: ShiplineRun | undefined;
  const reach = (boundary: Boundary, seq: number) => {
    pending.splice(pending.indexOf(boundary), 1);
    if (current) onReach(boundary, seq, current);
  };
  const earlier: Call[] = [];
  const untap = tapRequestLog((call) => {
    for (const boundary of [...pending]) {
      if ("call" in boundary.at && boundary.at.call(call, earlier)) reach(boundary, call.seq);
    }
    earlier.push(call);
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

/** The release each entry point names through the edge, undefined for one that names none. */
const pageReleases = async () =>
  Promise.all(
    ENTRY_PAGES.map(
      async (path) =>
        /feedfacecafe-(\d+)\.1/.exec(await (await fetch(`${edge}${path}`)).text())?.[1],
    ),
  );
const apiBuild = async () => {
  const response = await fetch(`${edge}/api/version`);
  return response.ok ? ((await response.json()) as { build: string }).build : undefined;
};
const primaryTaskDefinition = async () =>
  (await stack.describe()).deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition;

/**
 * Both halves serve one release through the edge: every entry point of the SPA names it, and
 * three API answers in a row; its run.
 */
async function servedRelease(): Promise<number> {
  return waitFor(
    "the API and every entry point of the SPA to serve one release",
    async () => {
      const pages = await pageReleases();
      const served = pages[0];
      if (pages.some((release) => release !== served)) return undefined;
      for (let answer = 0; answer < 3; answer++) {
        if (!served || (await apiBuild()) !== served) return undefined;
      }
      return Number(served);
    },
    90_000,
  );
}

const cloudFront = () =>
  new CloudFrontClient({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
  });

/**
 * The router function's DEVELOPMENT code made an older shipline's (its LIVE code, which the edge
 * runs, untouched), as after an upgrade: the next deploy updates, publishes and waits for the
 * router before its PutKey. Nothing to drift before the first deploy created the function.
 */
async function driftRouter(): Promise<void> {
  const client = cloudFront();
  const described = await client
    .send(new DescribeFunctionCommand({ Name: ROUTER, Stage: "DEVELOPMENT" }))
    .catch((error: Error) => {
      if (error.name === "NoSuchFunctionExists") return undefined;
      throw error;
    });
  if (!described) return;
  const code = await client.send(new GetFunctionCommand({ Name: ROUTER, Stage: "DEVELOPMENT" }));
  const text = new TextDecoder().decode(code.FunctionCode);
  await client.send(
    new UpdateFunctionCommand({
      Name: ROUTER,
      IfMatch: described.ETag,
      FunctionConfig: described.FunctionSummary?.FunctionConfig,
      FunctionCode: new TextEncoder().encode(`${text}\n// an older release router\n`),
    }),
  );
}

/**
 * Production as before a site's first atomic deploy: the distribution's default behaviour runs
 * no function, the router function is deleted, the store holds no pointer, and a deploy in
 * web-mode invalidate puts a release's entry points at the bucket's root. (An operator moving
 * from web-mode invalidate to atomic starts there.)
 */
async function backToInvalidate(): Promise<void> {
  const client = cloudFront();
  const current = await client.send(new GetDistributionConfigCommand({ Id: distributionId }));
  const config = current.DistributionConfig;
  const behaviour = config?.DefaultCacheBehavior;
  if (!config || !behaviour)
    throw new Error(`distribution ${distributionId}: no default behaviour`);
  await client.send(
    new UpdateDistributionCommand({
      Id: distributionId,
      IfMatch: current.ETag,
      DistributionConfig: {
        ...config,
        DefaultCacheBehavior: { ...behaviour, FunctionAssociations: { Quantity: 0, Items: [] } },
      },
    }),
  );
  const described = await client.send(
    new DescribeFunctionCommand({ Name: ROUTER, Stage: "DEVELOPMENT" }),
  );
  await client.send(new DeleteFunctionCommand({ Name: ROUTER, IfMatch: described.ETag }));
  await deletePointer(keyValueStoreOf(cloud), storeArn, LIVE_KEY);
  const atomicConfig = configFile;
  atomic = false;
  configFile = invalidateConfigFile;
  try {
    await succeed("deploy");
  } finally {
    atomic = true;
    configFile = atomicConfig;
  }
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

/** (3) in the atomic part: the next command, the same as the case's, succeeds. */
async function expectNext(command: Command): Promise<void> {
  const before = await servedRelease();
  const done = await succeed(command);
  const served = await expectConsistent();
  if (command === "deploy") expect(idOf(served)).toBe(done);
  else expect(served).not.toBe(before);
}

/**
 * A documented limit's case: once ECS's rollout has settled with the API on one release and the
 * site on another, `status` names the mix, and the next `command` makes production one release
 * again, recorded.
 */
async function expectLimitRepaired(command: Command): Promise<void> {
  const mixed = await waitFor(
    "ECS's rollout to settle with the API on another release than the site's",
    async () => {
      const primary = (await stack.describe()).deployments?.find((d) => d.status === "PRIMARY");
      if (primary?.rolloutState !== "COMPLETED") return undefined;
      const pages = await pageReleases();
      const api = await apiBuild();
      return api && pages.every((release) => release === pages[0]) && api !== pages[0]
        ? { pages, api }
        : undefined;
    },
    60_000,
  );
  console.log(
    `after the kill: entry points name ${mixed.pages.join(", ")}; the API answers ${mixed.api}`,
  );
  const status = await cli("status");
  expect(status.code, status.output).not.toBe(0);
  expect(status.output).toContain("consistent=false");
  await succeed(command);
  await expectConsistent();
}

/** (3): the next deploy and a rollback succeed, each leaving one release served and recorded. */
async function expectDeployAndRollback(): Promise<void> {
  const before = await servedRelease();
  const deployed = await succeed("deploy");
  expect(idOf(await expectConsistent())).toBe(deployed);
  await succeed("rollback");
  expect(await expectConsistent()).toBe(before);
}

/**
 * The dead run's lock: aged out by S3's clock (moved a lock-ttl forward rather than waited for),
 * or removed as an operator would.
 */
async function clearDeadLock(wait: boolean): Promise<void> {
  if (wait) {
    cloud.service<{ advanceClock(ms: number): void }>("s3").advanceClock(LOCK_TTL_MS);
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

/**
 * A clean run of `command`, noting which operations each of its steps used; with `migration`,
 * a deploy that runs the migration, noting that step's only (the others are a plain deploy's).
 */
async function learnOperations(command: Command, migration = false): Promise<void> {
  migrating = migration;
  run += 1;
  const marks: { step: string; seq: number }[] = [];
  const clean = await start(command, run, false, (boundary, seq) =>
    marks.push({ step: boundary.step, seq }),
  );
  const end = await clean.done;
  migrating = false;
  expect(end.code, end.output).toBe(0);
  const last = stack.cloud.requestLog.lastSeq;
  const steps = boundaries().filter(
    (boundary) =>
      boundary.command === command &&
      !boundary.firstAtomic &&
      (migration || boundary.step !== "migration"),
  );
  expect(
    marks.map((mark) => mark.step),
    end.output,
  ).toEqual(steps.map((step) => step.step));
  marks.forEach((mark, index) => {
    if (migration && mark.step !== "migration") return;
    operations.set(
      `${command} ${mark.step}`,
      operationsBetween(mark.seq, marks[index + 1]?.seq ?? last, mark.step === "images"),
    );
  });
}

export const nameOf = (c: Case) => `${c.command} ${c.step} × ${c.kind}`;

/** The cases of `command` at the given steps, in the matrix's order. */
const casesOf = (command: Command, steps: readonly string[]): Case[] =>
  CASES.filter((c) => c.command === command && steps.includes(c.step));

/**
 * The matrix in three parts of about ten cases, one test file each (the parts' own test checks
 * that together they are every case, once). The deploy's first part holds the case that lets a
 * dead run's lock expire.
 */
export const PARTS = {
  deployToGate: casesOf("deploy", ["images", "service", "migration", "rollout", "gate"]),
  deployFromWeb: casesOf("deploy", ["web", "entry points", "invalidation", "record"]),
  rollback: casesOf("rollback", ["service", "rollout", "gate", "web", "invalidation", "record"]),
};

/**
 * Declares one part of the matrix in the calling test file, on a localcloud stack of its own:
 * the clean run that learns each step's operations, then `cases`, and with `mixedRollback` the
 * kill between a rollback's entry-point writes. The matrix is split in parts, one test file
 * each, so that the test runner's workers run them side by side: a case mostly waits on
 * containers, polls and timers, and the parts share nothing (each its own network, ports,
 * state folder and temp folder).
 */
export function describeFaultMatrix(
  part: string,
  cases: readonly Case[],
  options: { mixedRollback?: boolean; web?: "atomic"; driftRouter?: boolean } = {},
): void {
  atomic = options.web === "atomic";
  drifting = atomic && options.driftRouter === true;
  beforeAll(async () => {
    stack = await startServiceStack();
    const first = await stack.createService({ RELEASE_ID: "r0" }, { desiredCount: 1 });
    await waitSteadyOn(stack, first);
    cloud = stack.cloud as unknown as WebCloud;
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    if (atomic) storeArn = await createKeyValueStore(cloud, STORE);
    const distribution = await createEdge(stack, BUCKET);
    distributionId = distribution;
    edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
    tmp = await tempDir("fault-matrix");
    apiFolder = await writeApi(join(tmp, "api"), "0");
    configFile = join(tmp, "shipline.yml");
    invalidateConfigFile = join(tmp, "shipline-invalidate.yml");
    const configOf = async (web: "atomic" | "invalidate") =>
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
            ...(web === "atomic" ? { web: { mode: "atomic", "key-value-store": STORE } } : {}),
            // The shortest interval a release accepts, one healthy poll: each rollout takes seconds.
            gate: { timeout: "60s", interval: "1s", "healthy-polls": 1, "grace-period": "1s" },
            "lock-ttl": `${LOCK_TTL_MS / 1000}s`,
          },
        },
      });
    await writeFile(configFile, await configOf(atomic ? "atomic" : "invalidate"));
    if (atomic) await writeFile(invalidateConfigFile, await configOf("invalidate"));
  }, 300_000);

  afterAll(async () => {
    cloud?.faults.clear();
    await stack?.dispose();
  });

  describe(`the fault matrix: ${part}`, () => {
    it("a clean deploy and rollback: the operations of each step, from the request log", async () => {
      await succeed("deploy");
      await learnOperations("deploy");
      if (!atomic) await learnOperations("deploy", true);
      await learnOperations("rollback");
      for (const [step, used] of operations) console.log(`${step}: ${used.join(" ")}`);
      await expectConsistent();
    }, 300_000);

    it.each(cases.map((c) => [nameOf(c), c] as const))(
      "%s",
      async (name, c) => {
        // A case that failed may have left its lock: the next one starts from a free environment.
        if (await readLock(s3(), BUCKET, LEDGER, "production")) await cli("unlock", "--force");
        if (c.first) await backToInvalidate();
        // What production serves before the case: a run stopped before its commit point keeps it.
        const before = c.keeps ? await servedRelease() : undefined;
        const ops = c.ops ?? operations.get(`${c.command} ${c.step}`) ?? [];
        const at = c.at ?? c.step;
        if (c.kind === "faults") expect(ops, name).not.toEqual([]);
        const since = stack.cloud.requestLog.lastSeq;
        migrating = c.step === "migration";
        run += 1;
        let reached = false;
        const victim = await start(
          c.command,
          run,
          c.kind !== "faults",
          (boundary, _seq, current) => {
            if (boundary.step !== at || reached) return;
            reached = true;
            if (c.kind === "kill") current.kill("SIGKILL");
            else if (c.kind === "sigint") current.kill("SIGINT");
            else {
              for (const op of ops) {
                const [service = "", operation] = op.split(":");
                cloud.faults.add({ service, operation, kind: faultKindOf(c.step), count: 5 });
              }
            }
          },
        );
        const end = await victim.done;
        cloud.faults.clear();
        console.log(`${name}: ${end.signal ?? `exit ${end.code}`}`);
        expect(reached, `${name} never reached its boundary:\n${end.output}`).toBe(true);
        const during = calls(since);
        if (c.kind === "kill") {
          expect(end.signal, end.output).toBe("SIGKILL");
          // The first kill lets the lock expire; the others remove it as an operator would.
          await clearDeadLock(name === nameOf(CASES[0] as Case));
        } else {
          // A cancelled or failed run exits with its meaning (never 2: nothing is left for a human,
          // never 70: a burst of errors is not a bug) and leaves the lock free at once.
          // A SIGINT before web-mode atomic's commit point stops the run there: 130, not a switch.
          const meanings = c.kind === "sigint" ? (c.keeps ? [130] : [0, 130]) : [0, 1, 3];
          expect(meanings, end.output).toContain(end.code);
          if (c.kind === "faults") expect(during.some((call) => call.fault)).toBe(true);
          expect(await readLock(s3(), BUCKET, LEDGER, "production"), end.output).toBeUndefined();
        }
        // Killed between the rollout and the guard's disarm (the alarm put again, not breaching).
        const updated = during.find(serviceUpdated);
        const guardedByEcs =
          c.kind === "kill" &&
          updated !== undefined &&
          !during.some(
            (call) =>
              call.seq > updated.seq && call.operation === "PutMetricAlarm" && call.status === 200,
          );
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
        // A deploy's limit (killed after its disarm, before its PutKey) always leaves the API
        // ahead of the site. A rollback's (killed after its PutKey, before its disarm) mixes
        // only when ECS rolls the API back: its window is one call wide, and when the kill lands
        // after the disarm was answered, production must be one release like any other case.
        if (c.limit && (c.command === "deploy" || guardedByEcs)) {
          await expectLimitRepaired(c.command);
          consistent.add(name);
          return;
        }
        if (c.limit) console.log(`${name}: the disarm was answered before the kill: no mix`);
        const served = await expectConsistent();
        // Stopped before its commit point (killed, cancelled, failed): nothing was switched.
        if (before !== undefined && end.code !== 0) expect(served, end.output).toBe(before);
        if (atomic) await expectNext(c.command);
        else await expectDeployAndRollback();
        migrating = false;
        consistent.add(name);
      },
      300_000,
    );

    if (options.mixedRollback) {
      it("a kill between a rollback's entry-point writes: invalidate mode's limit, named by status and repaired by the next rollback", async () => {
        if (await readLock(s3(), BUCKET, LEDGER, "production")) await cli("unlock", "--force");
        const before = await expectConsistent();
        const liveTaskDefinition = await primaryTaskDefinition();
        run += 1;
        // One entry point's copy fails once (the SDK would retry it): the run is killed as the
        // other's copy is answered, so one page is the target's and the other still the live one's.
        let killed = false;
        const victim = await start("rollback", run, true, (boundary, _seq, current) => {
          if (boundary.step !== "web") return;
          cloud.faults.add({ service: "s3", operation: "CopyObject", kind: "error", count: 1 });
          const untap = tapRequestLog((call) => {
            if (!entryPointBack(call) || killed) return;
            killed = true;
            untap();
            current.kill("SIGKILL");
          });
          void current.done.finally(untap);
        });
        const end = await victim.done;
        cloud.faults.clear();
        expect(killed, end.output).toBe(true);
        expect(end.signal, end.output).toBe("SIGKILL");
        // Killed before the guard's disarm: ECS returns the API to the release rolled back from.
        await waitFor(
          "ECS to roll the killed rollback's deployment back on the heartbeat alarm",
          async () => {
            const primary = (await stack.describe()).deployments?.find(
              (d) => d.status === "PRIMARY",
            );
            return primary?.rolloutState === "COMPLETED" &&
              primary.taskDefinition === liveTaskDefinition &&
              (await apiBuild()) === String(before)
              ? true
              : undefined;
          },
          60_000,
        );
        const pages = await pageReleases();
        const api = await apiBuild();
        console.log(
          `after the kill: entry points name ${pages.join(", ")}; the API answers ${api}`,
        );
        // Not one release at the edge: the site mixed (and the API on one of its two releases).
        expect(pages.some((release) => release !== api)).toBe(true);
        const status = await cli("status");
        console.log(status.output);
        expect(status.code, status.output).not.toBe(0);
        expect(status.output).toContain("consistent=false");
        await clearDeadLock(false);
        run += 1;
        const again = await start("rollback", run, false);
        const repaired = await again.done;
        expect(repaired.code, repaired.output).toBe(0);
        const served = await expectConsistent();
        expect(served).not.toBe(before);
        await expectDeployAndRollback();
      }, 300_000);
    }

    it("prints and asserts the count", () => {
      console.log(`${consistent.size} of ${cases.length} cases consistent`);
      expect(
        cases.map(nameOf).filter((name) => !consistent.has(name)),
        "inconsistent cases",
      ).toEqual([]);
    });
  });
}
