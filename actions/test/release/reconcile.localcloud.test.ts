import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sampleContainer } from "../../scripts/sample-images";
import { Ledger } from "../../src/ledger/releases";
import { readSiteManifest } from "../../src/ledger/site";
import { REPO_ROOT } from "../helpers/fixtures";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, tempDir, type WebCloud } from "../web/cloud";
import { createEdge } from "./edge";
import { actionsNeeded, missingFromPolicy } from "./iam";
import { baseImageOf, writeApi } from "./stand-in";

/**
 * Reality wins over the ledger, with runs killed outright (SIGKILL: no cleanup at all) on
 * localcloud with real tasks: `shipline status` shows what the service and the site serve and
 * settles the records a dead run left; `rollback` works whatever the ledger said when the run
 * died; the next deploy returns a failed rollout to the live release, never to the revision a
 * dead run left behind without passing its gate. Checked through the edge: SPA and /api/*.
 */
let stack: ServiceStack;
let edge = "";
let tmp = "";
let apiFolder = "";
let configFile = "";
const BUCKET = "reconcile-site";
const LEDGER = ".shipline/";

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" });
  await waitSteadyOn(stack, first);
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const cloud = stack.cloud as unknown as WebCloud;
  const distribution = await createEdge(stack, BUCKET);
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
  tmp = await tempDir("reconcile");
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
          // The shortest poll interval a release accepts; two healthy polls keep each gate short.
          gate: { timeout: "90s", interval: "1s", "healthy-polls": 2, "grace-period": "1s" },
          // Far longer than the test: a killed run's lock is removed with `unlock --force`.
          "lock-ttl": "30m",
        },
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const clientConfig = () => ({
  endpoint: stack.cloud.endpoint,
  region: stack.cloud.region,
  credentials: stack.cloud.credentials,
});
const s3 = () => new S3Client({ ...clientConfig(), forcePathStyle: true });
const ledger = () => new Ledger(s3(), BUCKET, LEDGER, "production");

interface Run {
  child: ChildProcess;
  output: string;
  done: Promise<number | null>;
}

/** `shipline` from its sources, as a pipeline runs it: the CI's variables, the config file. */
function shipline(args: string[], run: number, onOutput?: (run: Run) => void): Run {
  const child = spawn("node", ["--import", "tsx", "actions/src/cli/main.ts", ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...stack.cloud.env(),
      AWS_REGION: stack.cloud.region,
      SHIPLINE_CONFIG: configFile,
      GITHUB_SHA: "feedfacecafe0123456789feedfacecafe012345",
      GITHUB_RUN_ID: String(run),
      GITHUB_ACTOR: "tester",
    },
  });
  const result: Run = {
    child,
    output: "",
    done: new Promise((resolve) => child.on("close", (code) => resolve(code))),
  };
  const collect = (chunk: Buffer) => {
    result.output += chunk.toString();
    onOutput?.(result);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return result;
}

/** A deploy of build `run` (its API answers {build: run}, its page names its release id). */
async function startDeploy(
  run: number,
  options: { healthy?: boolean; onOutput?: (run: Run) => void } = {},
): Promise<Run & { id: string }> {
  const id = `feedfacecafe-${run}.1`;
  await writeApi(apiFolder, String(run), options.healthy ?? true);
  const site = await buildSite(join(tmp, `web-${run}`), { releaseId: id });
  // The same object: its output keeps growing as the run writes.
  return Object.assign(shipline(["deploy", "--source", site.dir], run, options.onOutput), { id });
}

/** Kills the run the moment it announces `marker`. */
const killAt = (marker: string) => (run: Run) => {
  if (run.output.includes(marker) && run.child.exitCode === null) run.child.kill("SIGKILL");
};

const page = async () => (await fetch(`${edge}/`)).text();
const apiBuild = async () =>
  ((await (await fetch(`${edge}/api/version`)).json()) as { build: string }).build;
const primary = async () =>
  (await stack.describe()).deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition;

/** What both halves serve through the edge, once they agree with the expectation. */
async function expectServing(releaseId: string, build: string): Promise<void> {
  await waitFor(
    `release ${releaseId} (API build ${build}) at the edge`,
    async () => ((await page()).includes(releaseId) && (await apiBuild()) === build) || undefined,
    90_000,
  );
}

/**
 * What an operator does after a run was killed outright (kill -9, a runner lost): the dead run
 * cannot release its lock, and it looks alive until half its TTL has passed, so it is removed
 * with `shipline unlock --force` rather than waited out. Expiry itself is lock.test's and
 * kill.localcloud's subject, not this file's.
 */
async function unlockDeadRun(): Promise<void> {
  const unlock = shipline(["unlock", "--environment", "production", "--force"], 99);
  expect(await unlock.done, unlock.output).toBe(0);
  expect(unlock.output).toMatch(/removed the lock|is not locked/);
}

async function deployLive(run: number): Promise<string> {
  const good = await startDeploy(run);
  expect(await good.done, good.output).toBe(0);
  await expectServing(good.id, String(run));
  return good.id;
}

describe("the ledger reconciled with what is served", () => {
  it("a deploy killed right after its index.html went up: status settles it live, rollback --to the earlier release restores both halves", async () => {
    const a = await deployLive(1);

    // A run killed before anything changed: status records it failed (a dry run only says so).
    const early = await startDeploy(2, { onOutput: killAt("▶ images") });
    await early.done;
    expect(early.child.signalCode).toBe("SIGKILL");
    // While its lock is fresh the run may be alive (status would leave its record to it).
    await unlockDeadRun();
    const dry = shipline(["status", "--dry-run"], 90);
    expect(await dry.done, dry.output).toBe(0);
    expect(dry.output).toMatch(/deploying → failed \(dry run: not recorded\)/);
    expect((await ledger().read(early.id))?.status).toBe("deploying");
    const settled = shipline(["status"], 91);
    expect(await settled.done, settled.output).toBe(0);
    expect(await ledger().read(early.id)).toMatchObject({
      status: "failed",
      reconciled: { reason: expect.stringMatching(/stopped before the release went out/) },
    });

    // Killed the moment B's index.html is in the bucket: the snapshot copies that follow are
    // held back, so nothing after the entry points (manifest, record, pointer) is written.
    const cloud = stack.cloud as unknown as WebCloud & {
      requestLog: { list(f: object): { operation: string; path: string; status: number }[] };
    };
    const since = cloud.requestLog.lastSeq;
    let held = false;
    const b = await startDeploy(3, {
      onOutput: (run) => {
        if (!held && run.output.includes("▶ web")) {
          held = true;
          cloud.faults.add({
            service: "s3",
            operation: "CopyObject",
            kind: "latency",
            latencyMs: 3_000,
          });
        }
      },
    });
    await waitFor(
      "B's index.html in the bucket",
      async () =>
        cloud.requestLog
          .list({ sinceSeq: since, service: "s3", operation: "PutObject" })
          .some((call) => call.path === `/${BUCKET}/index.html` && call.status === 200) ||
        undefined,
      180_000,
    );
    b.child.kill("SIGKILL");
    await b.done;
    cloud.faults.clear();
    // The ledger still says A; the service and the site serve B.
    expect((await ledger().live())?.value.releaseId).toBe(a);
    expect((await ledger().read(b.id))?.status).toBe("deploying");
    await expectServing(b.id, "3");
    await unlockDeadRun();

    const statusStart = stack.cloud.requestLog.lastSeq;
    const status = shipline(["status"], 92);
    expect(await status.done, status.output).toBe(0);
    const calls = cloud.requestLog.list({ sinceSeq: statusStart }) as unknown as {
      service: string;
      operation: string;
      path: string;
    }[];
    expect(await missingFromPolicy("status", actionsNeeded(calls)), "status.json").toEqual([]);
    // It wrote ledger records only: nothing to the site, nothing to the service.
    const writes = calls.filter(
      (call) => call.service === "s3" && /^(Put|Copy|Delete)/.test(call.operation),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect(write.path).toMatch(new RegExp(`^/${BUCKET}/\\.shipline/`));
    expect(calls.filter((c) => c.service === "ecs" && !c.operation.startsWith("Describe"))).toEqual(
      [],
    );
    expect(status.output).toContain(`${b.id}`);
    expect(status.output).toMatch(/deploying → live \(repaired\)/);
    expect((await ledger().live())?.value).toMatchObject({ releaseId: b.id, previous: [a] });
    expect((await ledger().read(b.id))?.status).toBe("live");
    // What B's run would have recorded had it lived: its web release, the site's manifest.
    expect((await ledger().read(b.id))?.web?.releaseId).toBe(b.id);
    const site = { bucket: BUCKET, prefix: "", ledgerPrefix: LEDGER };
    expect((await readSiteManifest(s3(), site))?.live.releaseId).toBe(b.id);

    const back = shipline(["rollback", "--to", a], 4);
    expect(await back.done, back.output).toBe(0);
    await expectServing(a, "1");
    const after = shipline(["status"], 93);
    expect(await after.done, after.output).toBe(0);
    expect(after.output).toContain(`release ${(await ledger().live())?.value.releaseId} is live`);

    // And forward again to B, whose run never recorded its site: its pages come back too.
    const forward = shipline(["rollback", "--to", b.id], 40);
    expect(await forward.done, forward.output).toBe(0);
    await expectServing(b.id, "3");
  }, 600_000);

  it("the takeover of a run killed in its gate returns a failed rollout to the live release, not to the dead run's revision", async () => {
    await unlockDeadRun();
    const live = await deployLive(5);
    const liveTaskDefinition = await primary();

    // C is killed while its rollout is gated, unguarded (its role may not arm the release guard's
    // CloudWatch alarm: it warns and goes on): ECS carries on to C's revision, never gated.
    const cloud = stack.cloud as unknown as WebCloud;
    cloud.faults.add({ service: "monitoring", operation: "PutMetricAlarm", kind: "deny" });
    const c = await startDeploy(6, { onOutput: killAt("gate: waiting") });
    await c.done;
    expect(c.output).toContain("release guard: not armed");
    cloud.faults.clear();
    expect(c.child.signalCode).toBe("SIGKILL");
    await waitFor(
      "C's revision serving",
      async () => (await apiBuild()) === "6" || undefined,
      90_000,
    );
    expect(await primary()).not.toBe(liveTaskDefinition);
    await unlockDeadRun();

    // D fails its gate: its rollback goes to the live release's task definition.
    const d = await startDeploy(7, { healthy: false });
    expect(await d.done, d.output).toBe(1);
    expect(await primary()).toBe(liveTaskDefinition);
    await expectServing(live, "5");
    expect(d.output).toContain("which never passed a gate");
    expect((await ledger().read(c.id))?.status).toBe("failed");
    expect((await ledger().live())?.value.releaseId).toBe(live);

    // A run killed in its gate again: the API is another revision than the live release's, and
    // status says so with a non-zero exit. (D failed and released its lock: E starts at once.)
    cloud.faults.add({ service: "monitoring", operation: "PutMetricAlarm", kind: "deny" });
    const e = await startDeploy(8, { onOutput: killAt("gate: waiting") });
    await e.done;
    cloud.faults.clear();
    const mixed = shipline(["status"], 94);
    expect(await mixed.done, mixed.output).toBe(1);
    expect(mixed.output).toMatch(
      /not one release: the API runs \S+ \(\w+\), no recorded release's, the site serves the entry points of release feedfacecafe-5\.1/,
    );
  }, 600_000);
});
