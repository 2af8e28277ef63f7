import { type ChildProcess, spawn } from "node:child_process";
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
import { REPO_ROOT } from "../helpers/fixtures";
import { type ServiceStack, startServiceStack, waitFor, waitSteadyOn } from "../service/cloud";
import { buildSite, createDistribution, tempDir, type WebCloud } from "../web/cloud";
import { baseImageOf, writeApi } from "./stand-in";

/**
 * A deploy killed outright (SIGKILL: no cleanup at all) at each step in turn: the site keeps
 * serving the live release, the next deploy is refused while the dead run's lock is fresh, naming
 * it, and succeeds once the lock has expired (S3's clock moved a lock-ttl forward, not waited for).
 */
let stack: ServiceStack;
let edge = "";
let tmp = "";
let apiFolder = "";
let configFile = "";
const BUCKET = "kill-site";
/** The shortest lock-ttl a release accepts: a dead run's lock expires by S3's clock after each kill. */
const LOCK_TTL_MS = 60_000;

beforeAll(async () => {
  stack = await startServiceStack();
  const first = await stack.createService({ RELEASE_ID: "r0" });
  await waitSteadyOn(stack, first);
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const cloud = stack.cloud as unknown as WebCloud;
  const distribution = await createDistribution(cloud, BUCKET);
  edge = cloud.service<{ edgeUrl(id: string): string }>("cloudfront").edgeUrl(distribution);
  tmp = await tempDir("kill");
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
          gate: { timeout: "90s", interval: "1s", "healthy-polls": 3, "grace-period": "1s" },
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

interface Run {
  child: ChildProcess;
  output: string;
  done: Promise<number | null>;
}

/**
 * `shipline deploy` as the pipeline runs it: the committed bundle, the CI's variables. With
 * `killAt`, it is killed the moment it announces that step (from the output handler, so within
 * milliseconds: the web step's first writes are the immutable assets, the entry points last).
 */
async function startDeploy(run: number, killAt?: string): Promise<Run & { id: string }> {
  const id = `feedfacecafe-${run}.1`;
  await writeApi(apiFolder, String(run));
  const site = await buildSite(join(tmp, `web-${run}`), { releaseId: id });
  const child = spawn("node", ["actions/dist/shipline.mjs", "deploy", "--source", site.dir], {
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
  const result: Run & { id: string } = {
    id,
    child,
    output: "",
    done: new Promise((resolve) => child.on("close", (code) => resolve(code))),
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    result.output += chunk.toString();
    if (killAt && result.output.includes(`▶ ${killAt}`)) child.kill("SIGKILL");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    result.output += chunk.toString();
  });
  return result;
}

const page = async () => (await fetch(`${edge}/`)).text();
const s3Clock = () =>
  (stack.cloud as unknown as WebCloud).service<{ advanceClock(ms: number): void }>("s3");

describe("a deploy killed in the middle", () => {
  it("at each step in turn: the live release keeps serving, the next deploy waits for the lock", async () => {
    const ledger = new Ledger(s3(), BUCKET, ".shipline/", "production");
    let run = 1;
    const good = await startDeploy(run);
    expect(await good.done, good.output).toBe(0);
    let live = good.id;
    await waitFor("the first release at the edge", async () =>
      (await page()).includes(live) ? true : undefined,
    );

    for (const step of ["images", "service", "web"]) {
      run += 1;
      const victim = await startDeploy(run, step);
      await victim.done;
      expect(victim.child.signalCode, victim.output).toBe("SIGKILL");

      // Nothing it did was made live: the pointer, the page and a healthy API are as before.
      expect((await ledger.live())?.value.releaseId, step).toBe(live);
      expect((await ledger.read(victim.id))?.status, step).toBe("deploying");
      expect(await page(), step).toContain(live);
      expect((await fetch(`${stack.lbUrl}/version`)).status, step).toBe(200);

      // Its lock is still fresh: the next deploy is refused at once, naming the dead run.
      const lock = await readLock(s3(), BUCKET, ".shipline/", "production");
      expect(lock?.holder.releaseId).toBe(victim.id);
      if (Date.parse(lock?.expiresAt ?? "") - Date.now() > 1_500) {
        run += 1;
        const refused = await startDeploy(run);
        expect(await refused.done, refused.output).toBe(3);
        expect(refused.output).toContain(
          `locked by the deploy of release ${victim.id} (run ${run - 1}.1 by tester)`,
        );
      }
      // Expiry is S3's to judge (the lock's LastModified against the answer's Date): S3's clock
      // is moved a lock-ttl forward rather than waited for.
      s3Clock().advanceClock(LOCK_TTL_MS);
      await waitFor(
        "the dead run's lock to expire by S3's clock",
        async () => {
          const state = await inspectLock(
            s3(),
            BUCKET,
            lockKey(".shipline/", "production"),
            systemClock,
          );
          return !state || state.expired ? true : undefined;
        },
        LOCK_TTL_MS + 5_000,
      );
    }

    run += 1;
    const next = await startDeploy(run);
    expect(await next.done, next.output).toBe(0);
    expect(next.output).toContain("took over the lock");
    live = next.id;
    expect((await ledger.live())?.value.releaseId).toBe(live);
    await waitFor("the next release at the edge", async () =>
      (await page()).includes(live) ? true : undefined,
    );
    expect(
      ((await (await fetch(`${stack.lbUrl}/version`)).json()) as { build: string }).build,
    ).toBe(String(run));
  }, 900_000);
});
