import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { lockKey } from "../../src/ledger/keys";
import { Ledger } from "../../src/ledger/releases";
import { systemClock } from "../../src/lib/clock";
import { heartbeatAlarmName } from "../../src/release/guard";
import { inspectLock, readLock } from "../../src/release/lock";
import { createEdge } from "../release/edge";
import { runShipline, type ShiplineRun } from "../release/shipline-run";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, tempDir, type WebCloud } from "../web/cloud";
import { createTrafficPair } from "./traffic-pair";

/**
 * A release whose service moves by canary, interrupted while the new revision takes production
 * traffic (its canary share, or all of it in ECS's final bake): the deploy process killed outright (no cleanup: the release guard's
 * heartbeat stops, its alarm goes off and ECS's alarm-based rollback returns all traffic to the
 * old revision), or cancelled (SIGINT: shipline stops the service deployment with ECS's
 * rollback). Either way the new release's SPA was never published, the edge serves one release,
 * the ledger and `status` tell the truth, and the next deploy goes live. One stack for all; the
 * cloud runs at 1/20 of AWS's pace (a canary's 10 minutes last 30 s, rolled back within seconds).
 */
let stack: ServiceStack;
let cloud: WebCloud;
let edge = "";
let tmp = "";
let configFile = "";
let productionRule = "";
const BUCKET = "canary-site";
const SHA = "c0ffee0123456789c0ffee0123456789c0ffee01";
/** The shortest lock-ttl a release accepts: the dead run's lock expires by S3's clock. */
const LOCK_TTL_MS = 60_000;
const ROLE = "arn:aws:iam::000000000000:role/ecsInfrastructureRoleForLoadBalancers";
/** The interrupted runs' canary: its first share bakes far longer than the test waits. */
const LONG_CANARY = "canary 10% 10m";
const SHORT_CANARY = "canary 10% 1m";

/**
 * Where a run is interrupted: the canary's share (10% of production traffic on the new revision,
 * for its long step bake), or ECS's final bake (all traffic on it, the old revision still up,
 * for a bake time longer than the test waits).
 */
const PHASES = {
  "canary share": {
    strategy: LONG_CANARY,
    args: [],
    line: /PRODUCTION_TRAFFIC_SHIFT: traffic new 10% \/ old 90%/,
  },
  "final bake": {
    strategy: SHORT_CANARY,
    args: ["--bake-time", "10m"],
    line: /BAKE_TIME: traffic new 100% \/ old 0%/,
  },
} as const;
type Phase = keyof typeof PHASES;

beforeAll(async () => {
  stack = await startServiceStack();
  cloud = stack.cloud as unknown as WebCloud;
  const { alternate, rule } = await createTrafficPair(stack);
  productionRule = rule;
  const first = await stack.createService({ RELEASE_ID: "none" }, { desiredCount: 1 });
  await waitSteadyOn(stack, first);
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const distribution = await createEdge(stack, BUCKET);
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
  tmp = await tempDir("canary-interrupt");
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
          containers: { api: { repository: "shipline/api" } },
          bucket: BUCKET,
          distributions: [distribution],
          gate: { timeout: "90s", interval: "1s", "healthy-polls": 1, "grace-period": "1s" },
          strategy: {
            type: "canary",
            "bake-time": "1m",
            "alternate-target-group": alternate,
            "production-listener-rule": rule,
            role: ROLE,
          },
          analysis: { enabled: false },
          "lock-ttl": `${LOCK_TTL_MS / 1000}s`,
        },
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const s3 = () =>
  new S3Client({
    endpoint: stack.cloud.endpoint,
    region: stack.cloud.region,
    credentials: stack.cloud.credentials,
    forcePathStyle: true,
  });
const ledger = () => new Ledger(s3(), BUCKET, ".shipline/", "production");
const idOf = (run: number) => `${SHA.slice(0, 12)}-${run}.1`;

function envOf(run: number): Record<string, string> {
  return {
    ...stack.cloud.env(),
    AWS_REGION: stack.cloud.region,
    SHIPLINE_CONFIG: configFile,
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: String(run),
    GITHUB_ACTOR: "tester",
  };
}

/**
 * `shipline deploy` of run `run`: a new task definition whose API answers the release's id, and
 * a site naming it. Spawned (its own process) for runs that receive a signal.
 */
async function deploy(
  run: number,
  strategy: string,
  options: {
    spawned?: boolean;
    onLine?: (line: string, current: ShiplineRun) => void;
    args?: readonly string[];
  } = {},
): Promise<ShiplineRun> {
  const site = await buildSite(join(tmp, `web-${run}`), { releaseId: idOf(run) });
  return runShipline({
    args: [
      "deploy",
      "--images",
      `api=${run % 2 ? stack.apiImageNext : stack.apiImage}`,
      "--container-env",
      `api:RELEASE_ID=${idOf(run)}`,
      "--strategy",
      strategy,
      "--source",
      site.dir,
      ...(options.args ?? []),
    ],
    env: envOf(run),
    spawned: options.spawned ?? false,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
}

async function cli(run: number, ...args: string[]) {
  return runShipline({ args, env: envOf(run), spawned: false }).done;
}

/** The release the API names through the edge, undefined when it does not answer. */
async function apiRelease(): Promise<string | undefined> {
  const response = await fetch(`${edge}/api/version`).catch(() => undefined);
  if (!response?.ok) return undefined;
  return ((await response.json()) as { releaseId: string }).releaseId;
}

/** The API and the SPA through the edge serve `id`: the page names it, three API answers too. */
async function expectServed(id: string): Promise<void> {
  await waitFor(
    `the API and the SPA to serve ${id} at the edge`,
    async () => {
      if (!(await (await fetch(`${edge}/`)).text()).includes(id)) return undefined;
      for (let answer = 0; answer < 3; answer++) {
        if ((await apiRelease()) !== id) return undefined;
      }
      return true;
    },
    30_000,
  );
}

/** `status` says production is consistent on `id`, as the ledger's live pointer does. */
async function expectStatus(run: number, id: string): Promise<string> {
  const status = await cli(run, "status");
  expect(status.code, status.output).toBe(0);
  expect(status.output).toContain("consistent=true");
  expect(status.output).toContain(`live-release=${id}`);
  expect((await ledger().live())?.value.releaseId).toBe(id);
  return status.output;
}

/**
 * Requests to the API through the edge, each noted with when it was sent and the release that
 * answered it, until stopped.
 */
function edgeProbe(workers = 3) {
  let running = true;
  const answers: { sentAt: number; release: string | undefined }[] = [];
  const worker = async () => {
    while (running) {
      const sentAt = Date.now();
      answers.push({ sentAt, release: await apiRelease() });
    }
  };
  const all = Array.from({ length: workers }, worker);
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(all);
      return answers;
    },
  };
}

/** A service deployment as ECS describes it. */
async function serviceDeployment(arn: string): Promise<ServiceDeployment | undefined> {
  const described = await stack.clients.ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
  );
  return described.serviceDeployments?.[0];
}

/** The production listener rule's forward weights, by target group. */
async function productionWeights(): Promise<Record<string, number>> {
  const described = await stack.clients.elb.send(
    new DescribeRulesCommand({ RuleArns: [productionRule] }),
  );
  const groups = described.Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
  return Object.fromEntries(groups.map((g) => [g.TargetGroupArn ?? "", g.Weight ?? 0]));
}

/** The target group taking all production traffic now. */
async function productionGroup(): Promise<string> {
  const weights = await productionWeights();
  const group = Object.keys(weights).find((arn) => weights[arn] === 100);
  if (!group) throw new Error(`production traffic is split: ${JSON.stringify(weights)}`);
  return group;
}

/**
 * Waits for ECS to return all production traffic to the live release's target group, then
 * probes on: not one request sent after that reaches the interrupted release, none fails.
 */
async function expectTrafficBack(
  probe: ReturnType<typeof edgeProbe>,
  liveGroup: string,
  interrupted: string,
  /** Probes on until this settles too (e.g. the next deploy's whole canary). */
  until?: Promise<unknown>,
): Promise<void> {
  await waitFor(
    "ECS to return all production traffic to the live release",
    async () => ((await productionWeights())[liveGroup] === 100 ? true : undefined),
    // Well within the canary's step bake (30 s): the rollback, not the end of the step.
    20_000,
  );
  const at = Date.now();
  await waitFor("two seconds of requests after the rollback", async () =>
    probe.answers.some((a) => a.sentAt > at + 2_000) ? true : undefined,
  );
  await until;
  const answers = await probe.stop();
  const during = answers.filter((a) => a.sentAt < at && a.release === interrupted).length;
  const after = answers.filter((a) => a.sentAt > at);
  const toInterrupted = after.filter((a) => a.release === interrupted).length;
  const failed = answers.filter((a) => a.release === undefined).length;
  console.log(
    `${interrupted}: ${during} of ${answers.length - after.length} requests reached it before the rollback, ${toInterrupted} of ${after.length} after; ${failed} failed`,
  );
  expect(during, "the canary took production traffic").toBeGreaterThan(0);
  expect(after.length).toBeGreaterThan(0);
  expect(toInterrupted).toBe(0);
  expect(failed).toBe(0);
}

/** Waits for the service deployment to end; returns it as ECS describes it. */
async function ended(arn: string): Promise<ServiceDeployment> {
  return waitFor(
    "the interrupted service deployment to end",
    async () => {
      const sd = await serviceDeployment(arn);
      return sd?.status && !/IN_PROGRESS|REQUESTED|PENDING/.test(sd.status) ? sd : undefined;
    },
    60_000,
  );
}

/**
 * Starts run `run`'s deploy by a long canary in its own process, and once ECS has shifted the
 * canary's share of production traffic to it, a probe through the edge; `interrupt` is sent
 * once the probe has met the new release (it takes production traffic).
 */
async function interruptAt(
  phase: Phase,
  run: number,
  signal: NodeJS.Signals,
  beforeSignal: () => void = () => {},
) {
  const { strategy, args, line: reached } = PHASES[phase];
  let probe: ReturnType<typeof edgeProbe> | undefined;
  const victim = await deploy(run, strategy, {
    spawned: true,
    args,
    onLine: (line) => {
      if (reached.test(line)) probe ??= edgeProbe();
    },
  });
  let ended = false;
  void victim.done.then(() => {
    ended = true;
  });
  const shifted = await waitFor(
    `the new release to take production traffic (${phase})`,
    async () => {
      if (ended) throw new Error(`the deploy ended early:\n${victim.output()}`);
      return probe?.answers.some((a) => a.release === idOf(run)) ? probe : undefined;
    },
    60_000,
  );
  beforeSignal();
  const signalledAt = Date.now();
  victim.kill(signal);
  const end = await victim.done;
  console.log(`${signal} to exit: ${Date.now() - signalledAt} ms`);
  const arn = /following service deployment (\S+)/.exec(end.output)?.[1];
  if (!arn) throw new Error(`no service deployment followed:\n${end.output}`);
  return { end, probe: shifted, serviceDeploymentArn: arn };
}

describe("a canary interrupted while it takes production traffic", () => {
  let run = 0;
  let live = "";

  it("a first release goes live by canary", async () => {
    run += 1;
    const first = await (await deploy(run, SHORT_CANARY)).done;
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/deployment SUCCESSFUL/);
    live = idOf(run);
    await expectServed(live);
  }, 120_000);

  it.each(Object.keys(PHASES) as Phase[])(
    "kill -9 at the %s: the heartbeat alarm has ECS return all traffic to the live release; status tells the truth; the next deploy goes live",
    async (phase) => {
      run += 1;
      const victim = idOf(run);
      const liveGroup = await productionGroup();
      const { end, probe, serviceDeploymentArn } = await interruptAt(phase, run, "SIGKILL");
      expect(end.signal, end.output).toBe("SIGKILL");
      await expectTrafficBack(probe, liveGroup, victim);
      // ECS rolled it back on the release guard's alarm: nobody else was there to.
      const rolledBack = await ended(serviceDeploymentArn);
      expect(rolledBack.status, JSON.stringify(rolledBack)).toBe("ROLLBACK_SUCCESSFUL");
      expect(rolledBack.rollback?.reason ?? "").toContain(heartbeatAlarmName("production"));

      // The SPA of the killed release was never published: one release at the edge, the live one.
      await expectServed(live);
      expect((await ledger().read(victim))?.status).toBe("deploying");
      const lock = await readLock(s3(), BUCKET, ".shipline/", "production");
      expect(lock?.holder.releaseId).toBe(victim);
      // While the dead run's lock is fresh, `status` names it under way; production is consistent.
      run += 1;
      const underWay = await cli(run, "status");
      expect(underWay.code, underWay.output).toBe(0);
      expect(underWay.output).toContain(`under way: the deploy of release ${victim}`);
      expect(underWay.output).toContain(`live-release=${live}`);
      expect(underWay.output).toContain("consistent=true");

      // The dead run's lock expires by S3's clock (moved a lock-ttl forward, not waited for); the
      // next command settles its record: failed, production consistent on the live release.
      cloud.service<{ advanceClock(ms: number): void }>("s3").advanceClock(LOCK_TTL_MS);
      await waitFor("the dead run's lock to expire by S3's clock", async () => {
        const state = await inspectLock(
          s3(),
          BUCKET,
          lockKey(".shipline/", "production"),
          systemClock,
        );
        return !state || state.expired ? true : undefined;
      });
      run += 1;
      const status = await expectStatus(run, live);
      expect(status).toMatch(new RegExp(`${victim}.*deploying → failed \\(repaired\\)`));
      expect((await ledger().read(victim))?.status).toBe("failed");

      run += 1;
      const next = await (await deploy(run, SHORT_CANARY)).done;
      expect(next.code, next.output).toBe(0);
      expect(next.output).toContain("took over the lock");
      live = idOf(run);
      await expectServed(live);
      run += 1;
      await expectStatus(run, live);
    },
    180_000,
  );

  it("SIGINT while StopServiceDeployment keeps failing: exit 2, and the guard left armed has ECS roll the canary back", async () => {
    run += 1;
    const victim = idOf(run);
    const liveGroup = await productionGroup();
    const { end, probe, serviceDeploymentArn } = await interruptAt(
      "canary share",
      run,
      "SIGINT",
      () => cloud.faults.add({ service: "ecs", operation: "StopServiceDeployment", kind: "error" }),
    );
    cloud.faults.clear();
    expect(end.code, end.output).toBe(2);
    expect(end.output).toContain(`stopping service deployment ${serviceDeploymentArn} failed too`);
    expect(end.output).toContain("release guard: left armed");
    // shipline could not stop the canary; its heartbeat alarm has ECS do it.
    await expectTrafficBack(probe, liveGroup, victim);
    const rolledBack = await ended(serviceDeploymentArn);
    expect(rolledBack.status, JSON.stringify(rolledBack)).toBe("ROLLBACK_SUCCESSFUL");
    expect(rolledBack.rollback?.reason ?? "").toContain(heartbeatAlarmName("production"));
    await expectServed(live);
    expect(await ledger().read(victim)).toMatchObject({
      status: "failed",
      failure: { step: "service", message: expect.stringMatching(/^ROLLBACK FAILED/) },
    });
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
    run += 1;
    await expectStatus(run, live);
    // The next test's deploy goes live after it.
  }, 120_000);

  it("SIGINT: exit 130 at once, ECS's rollback returns all traffic to the live release; cancelled recorded, lock free, the next deploy started at once goes live", async () => {
    run += 1;
    const victim = idOf(run);
    const liveGroup = await productionGroup();
    const { end, probe, serviceDeploymentArn } = await interruptAt("canary share", run, "SIGINT");
    expect(end.code, end.output).toBe(130);
    expect(end.output).toContain(
      `stopping service deployment ${serviceDeploymentArn} with rollback`,
    );
    expect(await ledger().read(victim)).toMatchObject({
      status: "cancelled",
      failure: { step: "service" },
    });
    expect((await ledger().live())?.value.releaseId).toBe(live);
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();

    // The next deploy starts at once, while ECS still rolls the cancelled one back.
    run += 1;
    const beforeNext = stack.cloud.requestLog.lastSeq;
    // The probe goes on through the next deploy's canary: the cancelled release never returns.
    const next = await deploy(run, SHORT_CANARY);
    await expectTrafficBack(probe, liveGroup, victim, next.done);
    // ECS's rollback on shipline's stop request ran to its end before the next deploy changed
    // the service: not replaced by it (STOPPED, "Superseded by a newer service deployment").
    const stopped = await ended(serviceDeploymentArn);
    expect(stopped.rollback?.reason ?? "", JSON.stringify(stopped)).toMatch(/stop request/);
    expect(stopped.status, JSON.stringify(stopped)).toBe("ROLLBACK_SUCCESSFUL");
    const nextEnd = await next.done;
    expect(nextEnd.code, nextEnd.output).toBe(0);
    expect(nextEnd.output).not.toContain("locked by");
    const update = stack.cloud.requestLog
      .list({ sinceSeq: beforeNext, service: "ecs", operation: "UpdateService" })
      .find((call) => call.status === 200);
    expect(update, "the next deploy's UpdateService").toBeDefined();
    expect(stopped.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(
      Date.parse(update?.time ?? ""),
    );
    console.log(
      nextEnd.output
        .split("\n")
        .filter((line) => line.includes(serviceDeploymentArn))
        .join("\n"),
    );
    live = idOf(run);
    await expectServed(live);
    run += 1;
    await expectStatus(run, live);
  }, 180_000);

  it("a rollback whose way back fails: exit 2, and the guard left armed has ECS return the service to the live release", async () => {
    // The rollback's deployment shifts traffic as the service's next one does: a long canary,
    // so it is still under way (and ECS still watches its alarms) when the run ends.
    await stack.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: stack.cluster,
        service: stack.service,
        deploymentConfiguration: {
          strategy: "CANARY",
          canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
        },
      }),
    );
    run += 1;
    const rollbackId = idOf(run);
    const since = new Date();
    let started = false;
    const rollback = await runShipline({
      args: ["rollback"],
      env: envOf(run),
      spawned: true,
      onLine: (line) => {
        if (/: deployment \S+ of arn:/.test(line)) started = true;
      },
    });
    await waitFor("the rollback's deployment to start", async () => (started ? true : undefined));
    // Cancelled in its gate, its way back (UpdateService to the live release's revision) fails.
    cloud.faults.add({ service: "ecs", operation: "UpdateService", kind: "error" });
    rollback.kill("SIGINT");
    const end = await rollback.done;
    cloud.faults.clear();
    expect(end.code, end.output).toBe(2);
    expect(end.output).toContain("ROLLBACK FAILED");
    expect(end.output).toContain("release guard: left armed");
    const listed = await stack.clients.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: stack.cluster,
        service: stack.service,
        createdAt: { after: since },
      }),
    );
    const arn = listed.serviceDeployments?.[0]?.serviceDeploymentArn ?? "";
    expect(listed.serviceDeployments, "the rollback's service deployment alone").toHaveLength(1);
    // Nobody else was there to put the service back: ECS did, on the release guard's alarm.
    const rolledBack = await ended(arn);
    expect(rolledBack.status, JSON.stringify(rolledBack)).toBe("ROLLBACK_SUCCESSFUL");
    expect(rolledBack.rollback?.reason ?? "").toContain(heartbeatAlarmName("production"));
    await expectServed(live);
    expect(await ledger().read(rollbackId)).toMatchObject({
      status: "failed",
      failure: { step: "service", message: expect.stringMatching(/^ROLLBACK FAILED/) },
    });
    expect(await readLock(s3(), BUCKET, ".shipline/", "production")).toBeUndefined();
    run += 1;
    await expectStatus(run, live);
  }, 120_000);
});
